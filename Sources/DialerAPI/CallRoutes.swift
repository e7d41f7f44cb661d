import Crypto
import DialerEngine
import DialerStore
import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/calls`: place one call with a flow (originate), list the calls up now, read one
/// (live, or its CDR once ended), and act on one in progress: hang up, send DTMF, blind
/// transfer. `Idempotency-Key` on the POST makes a retried request return the first call
/// instead of dialing again.
struct CallRoutes<Context: RequestContext> {
    let store: DialerStore
    let dialer: Dialer?

    struct NewCall: Decodable {
        var phone, trunkId, callerId, statusCallback: String?
        var flow: JSONValue?
        var ringTimeout: Double?
        var fields: [String: String]?
    }

    struct Placed: ResponseEncodable {
        var id, phone, status: String
    }

    struct CallState: ResponseEncodable {
        var id: String
        var status: String
        var live: LiveCalls.Info?
        var cdr: CDRRoutes<Context>.CDRBody?
    }

    struct LiveList: ResponseEncodable { var calls: [LiveCalls.Info] }

    struct LiveStatistics: ResponseEncodable {
        var total: Int
        var byState: [String: Int]
        var byKind: [String: Int]
        var byCampaign: [String: Int]
    }

    /// An OTP announcement: the code spoken digit by digit after a lead-in, repeated.
    struct NewOTP: Decodable {
        var phone, code, text, voice, trunkId, callerId, statusCallback: String?
        var `repeat`: Int?
    }

    struct NewClickToCall: Decodable {
        var agent, customer, recording, trunkId, callerId, agentCallerId, statusCallback: String?
        var ringTimeout: Double?
    }

    struct Accepted: ResponseEncodable { var id, action: String }
    struct Digits: Decodable { var digits: String? }
    struct Transfer: Decodable { var to, mode: String? }

    func add(to group: RouterGroup<Context>) {
        group.post("calls") { request, context -> EditedResponse<Placed> in
            Self.edited(try await originate(try await JSONRequest.decode(NewCall.self, from: request, context: context), request: request))
        }
        group.post("otp") { request, context -> EditedResponse<Placed> in
            let otp = try await JSONRequest.decode(NewOTP.self, from: request, context: context)
            guard let code = otp.code else { throw APIError.missing("code") }
            let repeats = otp.`repeat` ?? 2
            guard (1...5).contains(repeats) else { throw APIError.invalid("repeat", "must be 1-5") }
            let flow = try Self.otpFlow(code: code, field: "code", lead: otp.text ?? "Your verification code is",
                                        speech: ["voice": .string(otp.voice ?? "en-us")], digitRate: 130, repeats: repeats)
            let new = NewCall(phone: otp.phone, trunkId: otp.trunkId, callerId: otp.callerId, statusCallback: otp.statusCallback, flow: flow)
            return Self.edited(try await originate(new, request: request, kind: "otp"))
        }
        group.post("click-to-call") { request, context -> EditedResponse<Placed> in
            let dialer = try running()
            let new = try await JSONRequest.decode(NewClickToCall.self, from: request, context: context)
            let call = try Self.clickToCall(new, store: store, key: Self.idempotencyKey(request))
            do {
                let (attempt, created) = try await dialer.pacer.clickToCall(call)
                return Self.edited(try placed(attempt, created: created, dialer: dialer))
            } catch let refusal as SingleCall.Refusal {
                throw Self.error(refusal)
            }
        }
        group.get("calls") { _, _ -> LiveList in
            LiveList(calls: try running().liveCalls.list)
        }
        group.get("calls/statistics") { _, _ -> LiveStatistics in
            let calls = try running().liveCalls.list
            return LiveStatistics(total: calls.count, byState: Dictionary(grouping: calls, by: \.state).mapValues(\.count),
                                  byKind: Dictionary(grouping: calls, by: \.kind).mapValues(\.count),
                                  byCampaign: Dictionary(grouping: calls.filter { $0.campaignId != nil }, by: { $0.campaignId! }).mapValues(\.count))
        }
        group.get("calls/:id") { _, context -> CallState in
            try state(of: try context.parameters.require("id"))
        }
        group.post("calls/:id/hangup") { _, context -> EditedResponse<Accepted> in
            try live(context).hangUp()
            return EditedResponse(status: .accepted, response: Accepted(id: try context.parameters.require("id"), action: "hangup"))
        }
        group.post("calls/:id/dtmf") { request, context -> EditedResponse<Accepted> in
            let call = try single(context)
            guard let digits = try await JSONRequest.decode(Digits.self, from: request, context: context).digits else { throw APIError.missing("digits") }
            guard !digits.isEmpty, digits.count <= 64, digits.allSatisfy({ "0123456789*#ABCDabcd".contains($0) }) else {
                throw APIError.invalid("digits", "must be 1-64 of 0-9, *, #, A-D")
            }
            call.send(digits: digits.uppercased())
            return EditedResponse(status: .accepted, response: Accepted(id: try context.parameters.require("id"), action: "dtmf"))
        }
        group.post("calls/:id/transfer") { request, context -> EditedResponse<Accepted> in
            let call = try single(context)
            let body = try await JSONRequest.decode(Transfer.self, from: request, context: context)
            guard let to = body.to else { throw APIError.missing("to") }
            let target = to.hasPrefix("sip:") || to.hasPrefix("sips:") ? to : try PhoneNumber.normalize(to, field: "to")
            let id = try context.parameters.require("id")
            switch body.mode ?? "blind" {
            case "blind":
                do throws(CallControlError) { try call.transfer(to: target) } catch {
                    throw APIError(.conflict, code: "not_supported", message: error.description)
                }
                return EditedResponse(status: .accepted, response: Accepted(id: id, action: "transfer"))
            case "attended":
                do { try await call.transferAttended(to: target) } catch let error as CallControlError {
                    throw APIError(.conflict, code: "transfer_refused", message: error.description)
                }
                return EditedResponse(status: .accepted, response: Accepted(id: id, action: "attended-transfer"))
            default:
                throw APIError.invalid("mode", "must be blind (REFER) or attended (sipdial calls the target and bridges)")
            }
        }
        group.post("calls/:id/recording/start") { _, context -> Accepted in try await recording(context, start: true) }
        group.post("calls/:id/recording/stop") { _, context -> Accepted in try await recording(context, start: false) }
    }

    /// Starts or stops the API recording of a call: 200 with the call's id and action; a 409
    /// naming why when the call cannot take it (not answered, recorded by its flow or before,
    /// not recording, ended).
    private func recording(_ context: Context, start: Bool) async throws -> Accepted {
        let call = try single(context)
        do {
            _ = start ? try await call.startRecording() : try await call.stopRecording()
        } catch let error as CallControlError {
            throw APIError(.conflict, code: "recording_refused", message: error.description)
        }
        return Accepted(id: try context.parameters.require("id"), action: start ? "recording-started" : "recording-stopped")
    }

    /// The flow of an OTP announcement: `lead`, then `code` spoken one character at a time
    /// (at `digitRate` words a minute when given), `repeats` times, both with `speech`'s voice
    /// settings. The code is 1-16 letters or digits, else a 400 naming `field`.
    static func otpFlow(code: String, field: String, lead: String, speech: [String: JSONValue], digitRate: Double? = nil,
                        repeats: Int) throws -> JSONValue {
        guard (1...16).contains(code.count), code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw APIError.invalid(field, "must be 1-16 letters or digits")
        }
        var leadIn = speech
        leadIn["verb"] = .string("say")
        leadIn["text"] = .string(lead)
        var digits = leadIn
        digits["text"] = .string(code)
        digits["digit_by_digit"] = .bool(true)
        digits["repeat"] = .number(Double(repeats))
        if let digitRate { digits["rate"] = .number(digitRate) }
        return .array([.object(leadIn), .object(digits)])
    }

    /// The call `id` (its attempt id or SIP Call-ID): live, or ended with its CDR.
    func state(of id: String, what: String = "call") throws -> CallState {
        if let live = dialer?.liveCalls.info(id) { return CallState(id: live.id, status: live.state, live: live) }
        let attemptID = try store.attempt(id: id)?.id ?? store.cdrs(CDRFilter(sipCallID: id), after: nil, limit: 1).first?.attemptId
        guard let attemptID, let cdr = try store.cdr(attemptID: attemptID) else { throw APIError.notFound(what, id: id) }
        return CallState(id: attemptID, status: "ended", cdr: CDRRoutes<Context>.CDRBody(cdr: cdr))
    }

    /// Places `new`: the call, and whether it is new (false for a repeated Idempotency-Key).
    func originate(_ new: NewCall, request: Request, kind: String = "call") async throws -> (Placed, created: Bool) {
        let dialer = try running()
        var call = try Self.singleCall(new, store: store, key: Self.idempotencyKey(request))
        call.kind = kind
        do {
            let (attempt, created) = try await dialer.pacer.originate(call)
            return try placed(attempt, created: created, dialer: dialer)
        } catch let refusal as SingleCall.Refusal {
            throw Self.error(refusal)
        }
    }

    /// 201 with a new call, or 200 with the earlier one of a repeated Idempotency-Key.
    private func placed(_ attempt: Attempt, created: Bool, dialer: Dialer) throws -> (Placed, created: Bool) {
        let ended = try store.cdr(attemptID: attempt.id) != nil
        let status = dialer.liveCalls.info(attempt.id)?.state ?? (ended ? "ended" : "dialing")
        return (Placed(id: attempt.id, phone: attempt.phone, status: status), created)
    }

    /// 201 for a new call, 200 for the earlier one of a repeated Idempotency-Key.
    static func edited(_ placed: (Placed, created: Bool)) -> EditedResponse<Placed> {
        EditedResponse(status: placed.created ? .created : .ok, response: placed.0)
    }

    private func running() throws -> Dialer {
        guard let dialer else { throw APIError(.serviceUnavailable, code: "dialer_unavailable", message: "the dialer is not running in this process") }
        return dialer
    }

    private func live(_ context: Context) throws -> any HangUpable {
        let id = try context.parameters.require("id")
        guard let call = try running().liveCalls.call(id) else { throw APIError.notFound("call in progress", id: id) }
        return call
    }

    /// A call in progress that takes DTMF and transfers (not a click-to-call).
    private func single(_ context: Context) throws -> CallAttempt {
        guard let call = try live(context) as? CallAttempt else {
            throw APIError(.conflict, code: "not_supported", message: "a click-to-call takes no DTMF, transfer or recording request (its recording is chosen when it is placed); hang it up instead")
        }
        return call
    }

    /// The call a POST describes, each field checked.
    static func singleCall(_ new: NewCall, store: DialerStore, key: String?) throws -> SingleCall {
        guard let raw = new.phone else { throw APIError.missing("phone") }
        let phone = try PhoneNumber.normalize(raw, field: "phone")
        let flow = try new.flow.map { try CampaignFields.flow($0, store: store) } ?? CallFlow([])
        if let trunkId = new.trunkId, try store.trunk(id: trunkId) == nil { throw APIError.invalid("trunk_id", "names no trunk") }
        let ringTimeout = new.ringTimeout ?? 30
        guard (5...300).contains(ringTimeout) else { throw APIError.invalid("ring_timeout", "must be 5 to 300 seconds") }
        return SingleCall(phone: phone, flow: flow, trunkID: new.trunkId, callerID: try new.callerId.map { try PhoneNumber.normalize($0, field: "caller_id") },
                          ringTimeout: ringTimeout, fields: new.fields ?? [:], idempotencyKey: key,
                          statusCallback: try new.statusCallback.map { try CampaignFields.callbackURL($0) })
    }

    /// The click-to-call a POST describes, each field checked.
    static func clickToCall(_ new: NewClickToCall, store: DialerStore, key: String?) throws -> ClickToCall {
        guard let agentText = new.agent else { throw APIError.missing("agent") }
        let agent = agentText.hasPrefix("sip:") || agentText.hasPrefix("sips:") ? agentText : try PhoneNumber.normalize(agentText, field: "agent")
        guard let customerText = new.customer else { throw APIError.missing("customer") }
        let customer = try PhoneNumber.normalize(customerText, field: "customer")
        guard let recording = ClickToCall.Recording(rawValue: new.recording ?? "off") else {
            throw APIError.invalid("recording", "must be one of off, agent, customer, both")
        }
        if let trunkId = new.trunkId, try store.trunk(id: trunkId) == nil { throw APIError.invalid("trunk_id", "names no trunk") }
        let ringTimeout = new.ringTimeout ?? 30
        guard (5...300).contains(ringTimeout) else { throw APIError.invalid("ring_timeout", "must be 5 to 300 seconds") }
        return ClickToCall(agent: agent, customer: customer, recording: recording, trunkID: new.trunkId,
                           callerID: try new.callerId.map { try PhoneNumber.normalize($0, field: "caller_id") },
                           agentCallerID: try new.agentCallerId.map { try PhoneNumber.normalize($0, field: "agent_caller_id") },
                           ringTimeout: ringTimeout, idempotencyKey: key,
                           statusCallback: try new.statusCallback.map { try CampaignFields.callbackURL($0) })
    }

    /// The request's Idempotency-Key, scoped to its bearer token (two clients may pick the
    /// same key): a digest of the token, then the key.
    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[Self.idempotencyHeader] else { return nil }
        guard !key.isEmpty, key.count <= 255 else { throw APIError.invalid("Idempotency-Key", "must be 1-255 characters") }
        let token = request.headers[.authorization] ?? ""
        let scope = SHA256.hash(data: Data(token.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return "\(scope):\(key)"
    }

    static var idempotencyHeader: HTTPField.Name { HTTPField.Name("Idempotency-Key")! }

    static func error(_ refusal: SingleCall.Refusal) -> APIError {
        switch refusal {
        case .noTrunk: APIError(.serviceUnavailable, code: "no_trunk", message: "no trunk is configured (POST /v1/trunks)")
        case .noSuchTrunk: APIError.invalid("trunk_id", "names no trunk")
        case .trunksFull: APIError(.serviceUnavailable, code: "trunks_full", message: "every trunk is at its call limit; retry later")
        case .stopping: APIError(.serviceUnavailable, code: "stopping", message: "sipdial is shutting down")
        }
    }
}
