import DialerEngine
import DialerStore
import Foundation
import Hummingbird

/// The seed's call operations: `click2call`, `callback` (POST, PATCH, DELETE: a
/// click-to-call at a later time), `outbound_call` (an OTP announcement), `modify_call`
/// (blind transfer, hangup) and `get_live_call_statistics`, on the same engine as `/v1`.
/// A `request_id` is the call's id (or the callback's) in `/v1`.
struct CPaaSCallRoutes<Context: RequestContext> {
    let store: DialerStore
    let dialer: Dialer?
    let calls: CallRoutes<Context>

    func add(to group: RouterGroup<Context>) {
        group.post("click2call") { request, _ -> CPaaS.Response in
            let body = try await CPaaS.Body.read(request)
            let call = ClickToCall(agent: try body.phone("agent_number"), customer: try body.phone("destination_number"),
                                   recording: try CPaaS.recording(body), callerID: try body.string("caller_id").map { try PhoneNumber.normalize($0, field: "caller_id") },
                                   agentCallerID: try body.string("caller_id").map { try PhoneNumber.normalize($0, field: "caller_id") },
                                   idempotencyKey: try CallRoutes<Context>.idempotencyKey(request))
            let (attempt, _) = try await running().pacer.clickToCall(call)
            return CPaaS.Response(["request_id": .string(attempt.id)])
        }
        group.post("callback") { request, _ -> CPaaS.Response in
            let body = try await CPaaS.Body.read(request)
            let zone = try body.zone("time_zone")
            guard let at = try body.time("scheduled_at", zone: zone) else { throw CPaaS.Failure.missing("scheduled_at") }
            try Self.notPast(at)
            let now = Date().timeIntervalSince1970
            var callback = Callback(phone: try body.phone("destination_number"), flow: "[]", scheduledAt: at, timeZone: zone.identifier, now: now)
            callback.agent = try body.phone("agent_number")
            callback.recording = try CPaaS.recording(body).rawValue
            callback.callerId = try body.string("caller_id").map { try PhoneNumber.normalize($0, field: "caller_id") }
            try store.insert(callback)
            return CPaaS.Response(["request_id": .string(callback.id)])
        }
        group.patch("callback") { request, _ -> CPaaS.Response in
            let body = try await CPaaS.Body.read(request)
            var callback = try existingCallback(body)
            if body.values["agent_number"] != nil { callback.agent = try body.phone("agent_number") }
            if body.values["destination_number"] != nil { callback.phone = try body.phone("destination_number") }
            if body.values["recording_option"] != nil { callback.recording = try CPaaS.recording(body).rawValue }
            if let callerID = try body.string("caller_id") { callback.callerId = try PhoneNumber.normalize(callerID, field: "caller_id") }
            if body.values["time_zone"] != nil { callback.timeZone = try body.zone("time_zone").identifier }
            if let at = try body.time("scheduled_at", zone: TimeZone(identifier: callback.timeZone) ?? .gmt) {
                try Self.notPast(at)
                callback.scheduledAt = at
            }
            callback.updatedAt = Date().timeIntervalSince1970
            guard try store.updateScheduled(callback) else { throw CPaaS.Failure(CallbackRoutes<Context>.notScheduled(callback)) }
            return CPaaS.Response(["message": .string("callback data modified successfully"), "request_id": .string(callback.id)])
        }
        group.delete("callback") { request, _ -> CPaaS.Response in
            var callback = try existingCallback(try await CPaaS.Body.read(request))
            callback.status = "cancelled"
            callback.updatedAt = Date().timeIntervalSince1970
            guard try store.updateScheduled(callback) else { throw CPaaS.Failure(CallbackRoutes<Context>.notScheduled(callback)) }
            return CPaaS.Response(["message": .string("callback request deleted successfully"), "request_id": .string(callback.id)])
        }
        group.post("outbound_call") { request, _ -> CPaaS.Response in
            let body = try await CPaaS.Body.read(request)
            let phone = try body.phone("customer_number")
            let flow = try CallRoutes<Context>.otpFlow(code: try body.required("otp"), field: "otp", lead: "Your one time password is",
                                                       speech: try CPaaS.speech(body), repeats: try body.int("repeat", in: 1...5) ?? 1)
            let new = CallRoutes<Context>.NewCall(phone: phone, callerId: try body.string("caller_id"), flow: flow)
            let placed = try await calls.originate(new, request: request, kind: "otp")
            return CPaaS.Response(["request_id": .string(placed.0.id)])
        }
        group.post("modify_call") { request, _ -> CPaaS.Response in
            let body = try await CPaaS.Body.read(request)
            let channel = try body.required("channel")
            let type = try body.required("modify_type")
            guard ["0", "1", "2", "3"].contains(type) else {
                throw CPaaS.Failure.invalid("modify_type", "must be 0 (blind transfer), 1 (attended transfer), 2 (hangup) or 3 (start recording)")
            }
            let target = type == "0" || type == "1" ? try body.required("transfer_to") : ""
            guard let call = try running().liveCalls.call(channel) else { throw CPaaS.Failure.notFound("call in progress", channel, field: "channel") }
            if type == "2" {
                call.hangUp()
                return CPaaS.Response(["message": .string("call hung up successfully")])
            }
            guard let single = call as? CallAttempt else {
                throw CPaaS.Failure.invalid("channel", "is a click-to-call, which cannot be transferred or recorded on request")
            }
            let destination = type == "3" || target.hasPrefix("sip:") ? target : try PhoneNumber.normalize(target, field: "transfer_to")
            do {
                switch type {
                case "1":
                    try await single.transferAttended(to: destination)
                    return CPaaS.Response(["message": .string("attended transfer started successfully")])
                case "3":
                    _ = try await single.startRecording()
                    return CPaaS.Response(["message": .string("recording started successfully")])
                default:
                    try single.transfer(to: destination)
                    return CPaaS.Response(["message": .string("blind transferred successfully")])
                }
            } catch let error as CallControlError {
                throw CPaaS.Failure(status: .conflict, message: error.description, field: "channel")
            }
        }
        group.get("get_live_call_statistics") { _, _ -> CPaaS.Response in
            let live = try running().liveCalls.list
            func count(_ kinds: Set<String>) -> JSONValue { .number(Double(live.filter { kinds.contains($0.kind) }.count)) }
            return CPaaS.Response(["result": .object([
                "live_calls_c2c": count(["click-to-call"]), "live_calls_campaign": count(["campaign"]),
                "live_calls_inbound": count(["inbound"]), "live_calls_otp": count(["otp"]),
            ])])
        }
    }

    /// A callback's `scheduled_at` must not be in the past (`CallbackRoutes.pastGrace`).
    private static func notPast(_ at: Double) throws {
        guard CallbackRoutes<Context>.isPast(at) else { return }
        throw CPaaS.Failure.invalid("scheduled_at", "is in the past")
    }

    private func running() throws -> Dialer {
        guard let dialer else { throw CPaaS.Failure(status: .serviceUnavailable, message: "the dialer is not running in this process", field: nil) }
        return dialer
    }

    private func existingCallback(_ body: CPaaS.Body) throws -> Callback {
        let id = try body.required("request_id")
        guard let callback = try store.callback(id: id) else { throw CPaaS.Failure.notFound("callback", id, field: "request_id") }
        return callback
    }
}
