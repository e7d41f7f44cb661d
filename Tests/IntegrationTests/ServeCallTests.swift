import Crypto
import DialerEngine
import DialerStore
import Media
import SIPSimulator
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Single calls through `/v1/calls` on a `serve` dialing its embedded simulator (no trunk
/// configured), which answers and presses 4 then 2: the flow's gather and recording land in
/// the CDR, a repeated Idempotency-Key does not dial twice, a call in progress hangs up on
/// request, and bad requests are 4xx naming their field.
@Suite(.serialized)
struct ServeCallTests {
    static func serve(_ scratch: ServeCampaignTests.Scratch) async throws -> ServeProcess {
        let token = try await ServeProcess.token(data: scratch.data)
        return try await ServeProcess.start(data: scratch.data, token: token, ["--simulator-mix", "1:answer,after=0.5,dtmf=42"])
    }

    /// Polls `GET /v1/calls/:id` until its status is `status`.
    static func waitForCall(_ serve: ServeProcess, _ id: String, status: String, timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        var call: [String: Any] = [:]
        let became = try await poll(timeout: timeout, every: .milliseconds(100)) {
            call = try await serve.send("GET", "calls/\(id)").1
            return call["status"] as? String == status
        }
        if !became { Issue.record("call \(id) never became \(status): \(call)") }
        return call
    }

    /// A `serve` without a simulator of its own, dialing through one trunk: a `sipdial
    /// simulate` started with `simulatorArgs` that records its callers into `dir`.
    struct TrunkedServe {
        let dir: URL
        let trunk: SimulatorProcess
        let scratch: ServeCampaignTests.Scratch
        let serve: ServeProcess
        let trunkID: String

        static func start(_ simulatorArgs: [String]) async throws -> TrunkedServe {
            let dir = SIPp.workDirectory()
            let trunk = try await SimulatorProcess.start(simulatorArgs, recordingInto: dir)
            do {
                let scratch = ServeCampaignTests.Scratch()
                let token = try await ServeProcess.token(data: scratch.data)
                let serve = try await ServeProcess.start(data: scratch.data, token: token, ["--no-simulator"])
                do {
                    let trunkID = try await serve.create("trunks", ["name": "far end", "host": "127.0.0.1", "port": trunk.port])
                    return TrunkedServe(dir: dir, trunk: trunk, scratch: scratch, serve: serve, trunkID: trunkID)
                } catch {
                    serve.process.stop()
                    throw error
                }
            } catch {
                trunk.process.stop()
                try? FileManager.default.removeItem(at: dir)
                throw error
            }
        }

        func stop() {
            serve.process.stop()
            trunk.process.stop()
            try? FileManager.default.removeItem(at: dir)
        }

        /// The set-up of the transfer and dial tests: a simulated trunk playing the prompt on
        /// which `customer` answers after ringing for a second (so a request sent right after
        /// the call is created meets an unanswered call), `busy` is busy and `agent` answers as `agentBehaviour` says.
        static func customerBusyAndAgent(_ customer: String, _ busy: String, _ agent: String, agentBehaviour: String) async throws -> TrunkedServe {
            try await start(["--play", CallMediaTests.prompt, "--behaviour", "\(customer)=answer,after=1", "--behaviour", "\(busy)=busy",
                             "--behaviour", "\(agent)=\(agentBehaviour)"])
        }

        /// What the simulator recorded of the call with this SIP Call-ID.
        func farEndRecording(_ callID: String) throws -> [Int16] {
            try WAVAudio.read(path: dir.appendingPathComponent(AnsweringMedia.fileName(for: callID)).path).samples
        }
    }

    /// The simulator's answering-machine greeting (what the agents in these tests say).
    static func machineGreeting() throws -> [Int16] {
        try WAVAudio.read(path: CallMediaTests.repository.appendingPathComponent("Audio/greeting-machine.wav").path).samples
    }

    @Test func anOriginatedCallGathersDigitsRecordsAndWritesItsCDR() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let serve = try await Self.serve(scratch)
        defer { serve.process.stop() }
        let flow: [[String: Any]] = [
            ["verb": "gather", "name": "choice", "max_digits": 2, "timeout": 5, "prompt": ["verb": "say", "text": "Press two digits"]],
            ["verb": "record", "max_seconds": 1],
        ]
        var request = URLRequest(url: URL(string: "calls", relativeTo: serve.base)!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(serve.token)", forHTTPHeaderField: "Authorization")
        request.setValue("order-1234", forHTTPHeaderField: "Idempotency-Key")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["phone": "+1 555 010 0001", "flow": flow])
        let (first, firstResponse) = try await URLSession.shared.data(for: request)
        #expect((firstResponse as? HTTPURLResponse)?.statusCode == 201)
        let placed = try #require(try JSONSerialization.jsonObject(with: first) as? [String: Any])
        let id = try #require(placed["id"] as? String)
        #expect(placed["phone"] as? String == "+15550100001")
        // The client retries the POST: the same call comes back and nothing is dialed again.
        let (again, againResponse) = try await URLSession.shared.data(for: request)
        #expect((againResponse as? HTTPURLResponse)?.statusCode == 200)
        #expect((try JSONSerialization.jsonObject(with: again) as? [String: Any])?["id"] as? String == id)

        let ended = try await Self.waitForCall(serve, id, status: "ended")
        let cdr = try #require(ended["cdr"] as? [String: Any], "\(ended)")
        #expect(cdr["disposition"] as? String == "answered")
        #expect(cdr["answers"] as? [String: String] == ["choice": "42"])
        #expect(cdr["dtmf"] as? String == "42")
        let callID = try #require(cdr["sip_call_id"] as? String)
        let recording = try #require(cdr["recording"] as? String)
        var download = URLRequest(url: URL(string: "http://\(serve.base.host!):\(serve.base.port!)\(recording)")!)
        download.setValue("Bearer \(serve.token)", forHTTPHeaderField: "Authorization")
        let (wav, wavResponse) = try await URLSession.shared.data(for: download)
        #expect((wavResponse as? HTTPURLResponse)?.statusCode == 200)
        #expect(wav.count > 8_000, "about a second of 8 kHz audio")

        let (_, byCallID) = try await serve.send("GET", "cdrs?call_id=\(callID)")
        #expect((byCallID["cdrs"] as? [[String: Any]])?.count == 1)
        let (_, all) = try await serve.send("GET", "cdrs")
        #expect((all["cdrs"] as? [[String: Any]])?.count == 1, "the retried POST dialed nothing")
        let (_, statistics) = try await serve.send("GET", "statistics")
        #expect((statistics["statistics"] as? [String: Int])?["answered"] == 1)
        var csvRequest = URLRequest(url: URL(string: "cdrs.csv", relativeTo: serve.base)!)
        csvRequest.setValue("Bearer \(serve.token)", forHTTPHeaderField: "Authorization")
        let csv = String(decoding: try await URLSession.shared.data(for: csvRequest).0, as: UTF8.self)
        let lines = csv.split(separator: "\r\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("id,campaign_id,phone") && lines[1].contains(callID), "\(csv)")
    }

    @Test func aCallInProgressIsListedAndHangsUpOnRequest() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let serve = try await Self.serve(scratch)
        defer { serve.process.stop() }
        let id = try await serve.create("calls", ["phone": "+15550100002", "flow": [["verb": "pause", "seconds": 60]]])
        _ = try await Self.waitForCall(serve, id, status: "answered")
        let (_, list) = try await serve.send("GET", "calls")
        #expect((list["calls"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
        let (_, live) = try await serve.send("GET", "calls/statistics")
        #expect(live["total"] as? Int == 1 && (live["by_state"] as? [String: Int])?["answered"] == 1, "\(live)")
        #expect(try await serve.send("POST", "calls/\(id)/dtmf", ["digits": "1#"]).0 == 202)
        #expect(try await serve.send("POST", "calls/\(id)/hangup").0 == 202)
        let ended = try await Self.waitForCall(serve, id, status: "ended", timeout: .seconds(10))
        let cdr = try #require(ended["cdr"] as? [String: Any])
        #expect(cdr["disposition"] as? String == "answered")
        #expect((cdr["talk_seconds"] as? Double ?? 99) < 30)
        #expect(try await serve.send("POST", "calls/\(id)/hangup").0 == 404, "no longer in progress")
    }

    /// A recording started and stopped through the API holds both directions of that stretch
    /// of the call (sipdial's speech left, the far end's prompt right) and is the CDR's
    /// recording; requests the call cannot take are 409.
    @Test func aRecordingStartedAndStoppedMidCallHoldsBothDirections() async throws {
        let setup = try await TrunkedServe.start(["--play", CallMediaTests.prompt, "--behaviour", "*=answer,after=1.5"])
        defer { setup.stop() }
        let (serve, trunkID) = (setup.serve, setup.trunkID)
        let id = try await serve.create("calls", ["phone": "+15550100003", "trunk_id": trunkID,
                                                  "flow": [["verb": "say", "text": "This is sipdial, speaking on the left.", "repeat": 10]]])
        let early = try await serve.send("POST", "calls/\(id)/recording/start")
        #expect(early.0 == 409 && ((early.1["error"] as? [String: Any])?["message"] as? String ?? "").contains("not answered"), "\(early)")
        _ = try await Self.waitForCall(serve, id, status: "answered")
        #expect(try await serve.send("POST", "calls/\(id)/recording/stop").0 == 409, "nothing to stop yet")
        let requested = ContinuousClock.now
        #expect(try await serve.send("POST", "calls/\(id)/recording/start").0 == 200)
        try await Task.sleep(for: .seconds(2))
        #expect(try await serve.send("POST", "calls/\(id)/recording/start").0 == 409, "one recording per call")
        #expect(try await serve.send("POST", "calls/\(id)/recording/stop").0 == 200)
        // What the recording may hold at most: the time from asking for it to its stop being
        // answered (the suites around it load the machine; CI once took 3 s and more).
        let asked = ContinuousClock.now - requested
        let most = Double(asked.components.seconds) + Double(asked.components.attoseconds) / 1e18
        #expect(try await serve.send("POST", "calls/\(id)/hangup").0 == 202)
        let ended = try await Self.waitForCall(serve, id, status: "ended", timeout: .seconds(10))
        let cdr = try #require(ended["cdr"] as? [String: Any])
        #expect(cdr["recording"] is String, "\(cdr)")
        let path = try #require(try DialerStore(directory: setup.scratch.data).cdr(attemptID: id)?.recording)
        let (channels, rate) = try WAVAudio.readChannels(path: path)
        #expect(channels.count == 2 && rate == 8_000)
        let seconds = Double(channels.first?.count ?? 0) / 8_000
        #expect(seconds > 1.5 && seconds <= most + 0.1, "the recording covers the 2 s between start and stop: \(seconds) s of at most \(most) s")
        func loud(_ samples: [Int16]) -> Int { samples.filter { abs(Int($0)) > 1000 }.count }
        #expect(loud(channels[0]) > 1_000 && loud(channels[1]) > 1_000, "speech both ways: \(loud(channels[0])) and \(loud(channels[1])) loud samples")
        #expect(try await serve.send("POST", "calls/\(id)/recording/start").0 == 404, "the call is over")
    }

    /// Attended transfer: a busy target leaves the call as it was; an answering one is
    /// bridged to it — each far end hears the other — and hanging up ends both.
    @Test func anAttendedTransferBridgesTheCallToTheTargetOnceItAnswers() async throws {
        let (customer, busy, agent) = ("+15550102001", "+15550102002", "+15550102003")
        let setup = try await TrunkedServe.customerBusyAndAgent(customer, busy, agent, agentBehaviour: "answer,after=1,greeting=machine")
        defer { setup.stop() }
        let (serve, trunkID, trunk) = (setup.serve, setup.trunkID, setup.trunk)
        let id = try await serve.create("calls", ["phone": customer, "trunk_id": trunkID, "flow": [["verb": "pause", "seconds": 60]]])
        let early = try await serve.send("POST", "calls/\(id)/transfer", ["to": agent, "mode": "attended"])
        #expect(early.0 == 409 || early.0 == 404, "not answered yet: \(early)")
        _ = try await Self.waitForCall(serve, id, status: "answered")
        #expect(try await serve.send("POST", "calls/\(id)/transfer", ["to": agent, "mode": "sideways"]).0 == 400)

        // A busy target: the call carries on.
        #expect(try await serve.send("POST", "calls/\(id)/transfer", ["to": busy, "mode": "attended"]).0 == 202)
        try await Task.sleep(for: .seconds(1.5))
        #expect(try await serve.send("GET", "calls/\(id)").1["status"] as? String == "answered", "still up after the busy target")

        // An answering target: bridged.
        #expect(try await serve.send("POST", "calls/\(id)/transfer", ["to": agent, "mode": "attended"]).0 == 202)
        let again = try await serve.send("POST", "calls/\(id)/transfer", ["to": agent, "mode": "attended"])
        #expect(again.0 == 409, "one transfer at a time: \(again)")
        try await Task.sleep(for: .seconds(5))
        #expect(try await serve.send("POST", "calls/\(id)/hangup").0 == 202)
        let ended = try await Self.waitForCall(serve, id, status: "ended", timeout: .seconds(10))
        let cdr = try #require(ended["cdr"] as? [String: Any])
        let answers = cdr["answers"] as? [String: String] ?? [:]
        #expect(answers["transfer_to"] == agent && answers["transfer_outcome"] == "answered", "\(answers)")
        let customerCallID = try #require(cdr["sip_call_id"] as? String)
        let agentCallID = try #require(answers["transfer_call_id"], "\(answers)")

        // What each far end recorded: the customer the agent's (machine) greeting, the agent
        // the customer's looping prompt.
        try await poll(timeout: .seconds(10)) { trunk.process.text.components(separatedBy: " recording ").count > 3 }
        func heard(_ source: [Int16], at starts: [Int], in recording: [Int16]) -> Double {
            starts.map { AudioMatch.locate(source[$0..<($0 + 1600)], in: recording, near: recording.count / 2, within: recording.count / 2).correlation }.max() ?? 0
        }
        let prompt = try WAVAudio.read(path: CallMediaTests.prompt).samples
        let customerHeard = heard(try Self.machineGreeting(), at: [8_000], in: try setup.farEndRecording(customerCallID))
        // Any 200 ms of the prompt will do: on two busy cores a stretch of the bridged audio
        // can arrive too late for the far end's jitter buffer.
        let agentHeard = heard(prompt, at: Array(stride(from: 4_000, through: 36_000, by: 4_000)), in: try setup.farEndRecording(agentCallID))
        #expect(customerHeard > 0.9 && agentHeard > 0.9, "the customer heard the agent (\(customerHeard)), the agent the customer (\(agentHeard))")
    }

    /// The flow's `dial` verb: a busy number lets the flow go on to the next verb; an
    /// answering one is bridged to the call, and when it hangs up the call ends too.
    @Test func theDialVerbBridgesTheCallToANumberThatAnswers() async throws {
        let (customer, busy, agent) = ("+15550103001", "+15550103002", "+15550103003")
        let setup = try await TrunkedServe.customerBusyAndAgent(customer, busy, agent, agentBehaviour: "answer,after=1,greeting=machine,hangup=3")
        defer { setup.stop() }
        let (serve, trunkID, trunk) = (setup.serve, setup.trunkID, setup.trunk)
        let id = try await serve.create("calls", ["phone": customer, "trunk_id": trunkID, "flow": [
            ["verb": "dial", "to": busy], ["verb": "dial", "to": agent, "ring_timeout": 10],
            ["verb": "say", "text": "Never said: the dialed call was bridged and the flow ended there."],
        ]])
        let ended = try await Self.waitForCall(serve, id, status: "ended", timeout: .seconds(30))
        let cdr = try #require(ended["cdr"] as? [String: Any])
        let answers = cdr["answers"] as? [String: String] ?? [:]
        #expect(answers["dial_to"] == agent && answers["dial_outcome"] == "answered", "\(answers)")
        let talk = cdr["talk_seconds"] as? Double ?? 0
        #expect(talk > 3.5 && talk < 8, "ringing the agent (1 s), then the agent's 3 s: \(talk) s")
        try await poll(timeout: .seconds(10)) { trunk.process.text.components(separatedBy: " recording ").count > 2 }
        let customerCallID = try #require(cdr["sip_call_id"] as? String)
        let recording = try setup.farEndRecording(customerCallID)
        let machine = try Self.machineGreeting()
        let match = AudioMatch.locate(machine[8_000..<9_600], in: recording, near: recording.count / 2, within: recording.count / 2)
        #expect(match.correlation > 0.9, "the customer heard the agent: \(match.correlation)")
        // While the agent rang, the customer heard ringback (440 + 480 Hz).
        let ringing = recording[max(0, match.offset - 12_000)..<max(0, match.offset - 8_000)]
        let (low, high) = (FrequencyShare.of(440, in: ringing), FrequencyShare.of(480, in: ringing))
        #expect(low > 0.3 && high > 0.3, "ringback while the agent rang: 440 Hz \(low), 480 Hz \(high)")
        print("dial: talk \(talk) s, the agent heard at correlation \(match.correlation), ringback 440 Hz \(low) 480 Hz \(high)")
    }

    @Test func anOTPIsSpokenDigitByDigitAndRepeated() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let serve = try await Self.serve(scratch)
        defer { serve.process.stop() }
        let once = try await serve.create("otp", ["phone": "+15550100005", "code": "4711", "repeat": 1])
        let twice = try await serve.create("otp", ["phone": "+15550100006", "code": "4711", "repeat": 3])
        let short = try #require(try await Self.waitForCall(serve, once, status: "ended")["cdr"] as? [String: Any])
        let long = try #require(try await Self.waitForCall(serve, twice, status: "ended")["cdr"] as? [String: Any])
        #expect(short["disposition"] as? String == "answered" && long["disposition"] as? String == "answered")
        let (a, b) = (short["talk_seconds"] as? Double ?? 0, long["talk_seconds"] as? Double ?? 0)
        // The lead-in plus the four digits once, then the digits twice more.
        #expect(a > 2 && b > a + 2, "talk \(a) s once, \(b) s three times")
    }

    @Test func badRequestsAre4xxNamingTheField() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let serve = try await Self.serve(scratch)
        defer { serve.process.stop() }
        let cases: [(String, String, Any?, Int, String?)] = [
            ("POST", "calls", [String: Any](), 400, "phone"),
            ("POST", "calls", ["phone": "call me"], 400, "phone"),
            ("POST", "calls", ["phone": "+15550100003", "flow": [["verb": "say"]]], 400, "flow[0].text"),
            ("POST", "calls", ["phone": "+15550100003", "flow": [["verb": "gather", "max_digits": "two"]]], 400, "flow[0].max_digits"),
            ("POST", "calls", ["phone": "+15550100003", "trunk_id": "nope"], 400, "trunk_id"),
            ("POST", "calls", ["phone": "+15550100003", "ring_timeout": 1], 400, "ring_timeout"),
            ("POST", "otp", ["phone": "+15550100003"], 400, "code"),
            ("POST", "otp", ["phone": "+15550100003", "code": "12 34"], 400, "code"),
            ("POST", "otp", ["phone": "+15550100003", "code": "1234", "repeat": 9], 400, "repeat"),
            ("POST", "otp", ["code": "1234"], 400, "phone"),
            ("POST", "calls", ["phone": "+15550100003", "status_callback": "ftp://x"], 400, "status_callback"),
            ("GET", "cdrs?from=yesterday", nil, 400, "from"),
            ("GET", "cdrs?from=2026-11-23T10:00:00Z&to=2026-11-23T09:00:00Z", nil, 400, "to"),
            ("GET", "cdrs?limit=0", nil, 400, "limit"),
            ("GET", "cdrs/nope", nil, 404, nil),
            ("GET", "calls/nope", nil, 404, nil),
            ("POST", "calls/nope/hangup", nil, 404, nil),
            ("POST", "campaigns", ["name": "x", "calls_per_minute": 1, "max_concurrent": 1, "daily_start": "9am", "daily_end": "17:00"], 400, "daily_start"),
            ("POST", "campaigns", ["name": "x", "calls_per_minute": 1, "max_concurrent": 1, "time_zone": "Mars/Base"], 400, "time_zone"),
            ("POST", "campaigns", ["name": "x", "calls_per_minute": 1, "max_concurrent": 1, "retry_policy": ["answered": 5]], 400, "retry_policy"),
            ("POST", "campaigns", ["name": "x", "calls_per_minute": 1, "max_concurrent": 1, "dnd_list_ids": ["nope"]], 400, "dnd_list_ids"),
            ("POST", "campaigns", ["name": "x", "calls_per_minute": 1, "max_concurrent": 1, "starts_at": "soon"], 400, "starts_at"),
            ("POST", "campaigns", ["name": "x", "calls_per_minute": 1, "max_concurrent": 1, "flow": ["verb": "say"]], 400, "flow"),
            ("PATCH", "campaigns/nope", ["name": "y"], 404, nil),
        ]
        for (method, path, body, status, field) in cases {
            let (got, object) = try await serve.send(method, path, body)
            #expect(got == status, "\(method) \(path): \(got) \(object)")
            #expect((object["error"] as? [String: Any])?["field"] as? String == field, "\(method) \(path): \(object)")
        }
    }
}

/// Status callbacks: each of a call's events reaches the URL once, signed with the data
/// directory's secret; the first refused delivery is retried.
struct ServeWebhookTests {
    @Test func aCallsEventsArriveSignedAndARefusedOneIsRetried() async throws {
        let receiver = try await WebhookReceiver(failFirst: 1)
        defer { Task { await receiver.shutdown() } }
        let scratch = ServeCampaignTests.Scratch()
        let serve = try await ServeCallTests.serve(scratch)
        defer { serve.process.stop() }
        let id = try await serve.create("calls", ["phone": "+15550100004", "flow": [["verb": "pause", "seconds": 0.5]],
                                                  "status_callback": "http://127.0.0.1:\(receiver.port)/hooks"])
        try await poll(timeout: .seconds(30), every: .milliseconds(100)) { receiver.received.count >= 4 }
        #expect(receiver.refused == 1)
        let events = receiver.received.compactMap { try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any] }
        #expect(Set(events.compactMap { $0["event"] as? String }) == ["initiated", "ringing", "answered", "completed"], "\(receiver.received.map(\.body))")
        #expect(events.allSatisfy { $0["call_id"] as? String == id && $0["phone"] as? String == "+15550100004" })
        let completed = events.first { $0["event"] as? String == "completed" }
        #expect((completed?["cdr"] as? [String: Any])?["disposition"] as? String == "answered")
        // Each body carries a valid signature under the secret in the data directory.
        let secret = try String(contentsOf: scratch.data.appendingPathComponent("webhook-secret"), encoding: .utf8)
        for delivery in receiver.received {
            let time = Int(delivery.signature.split(separator: ",").first?.dropFirst(2) ?? "") ?? 0
            #expect(delivery.signature == WebhookSender.signature(delivery.body, time: time, key: SymmetricKey(data: Data(secret.utf8))))
        }
    }
}

/// `POST /v1/click-to-call` on the embedded simulator: the agent's leg, then the customer's,
/// bridged; both in the recording; the customer's DTMF in the CDR; hung up by the API.
struct ServeClickToCallTests {
    @Test func theAgentThenTheCustomerAreBridgedRecordedAndHungUp() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let serve = try await ServeCallTests.serve(scratch)
        defer { serve.process.stop() }
        let id = try await serve.create("click-to-call", ["agent": "+15550100010", "customer": "+1 555 010 0011", "recording": "both"])
        _ = try await ServeCallTests.waitForCall(serve, id, status: "answered")
        try await Task.sleep(for: .seconds(2))
        #expect(try await serve.send("POST", "calls/\(id)/dtmf", ["digits": "1"]).0 == 409, "a bridge takes no DTMF")
        #expect(try await serve.send("POST", "calls/\(id)/hangup").0 == 202)
        let ended = try await ServeCallTests.waitForCall(serve, id, status: "ended", timeout: .seconds(10))
        let cdr = try #require(ended["cdr"] as? [String: Any])
        #expect(cdr["disposition"] as? String == "answered" && cdr["phone"] as? String == "+15550100011")
        #expect(cdr["dtmf"] as? String == "42")
        let answers = cdr["answers"] as? [String: String] ?? [:]
        #expect(answers["agent"] == "+15550100010" && answers["agent_outcome"] == "answered" && answers["agent_dtmf"] == "42", "\(answers)")
        let store = try DialerStore(directory: scratch.data)
        let path = try #require(try store.cdr(attemptID: id)?.recording)
        let (channels, rate) = try WAVAudio.readChannels(path: path)
        #expect(channels.count == 2 && rate == 8_000 && channels[0].count > 8_000 * 2)

        let (missing, problem) = try await serve.send("POST", "click-to-call", ["agent": "+15550100010"])
        #expect(missing == 400 && (problem["error"] as? [String: Any])?["field"] as? String == "customer")
        let (bad, badProblem) = try await serve.send("POST", "click-to-call", ["agent": "+15550100010", "customer": "+15550100011", "recording": "all"])
        #expect(bad == 400 && (badProblem["error"] as? [String: Any])?["field"] as? String == "recording")
    }
}

/// `/v1/callbacks`: a callback written in Tokyo time is placed when due, not before; one
/// further off is moved and cancelled; a cancelled one no longer changes.
struct ServeCallbackTests {
    /// `seconds` from now as Tokyo wall-clock time without an offset.
    static func tokyo(_ seconds: Double) -> String {
        wallClock(seconds, in: "Asia/Tokyo")
    }

    @Test func aCallbackIsPlacedWhenDueInItsTimeZone() async throws {
        let scratch = ServeCampaignTests.Scratch()
        let serve = try await ServeCallTests.serve(scratch)
        defer { serve.process.stop() }
        let requested = Date().timeIntervalSince1970
        let soon = try await serve.create("callbacks", ["phone": "+15550100020", "at": Self.tokyo(3), "time_zone": "Asia/Tokyo",
                                                        "flow": [["verb": "say", "text": "You asked us to call back."]]])
        let later = try await serve.create("callbacks", ["phone": "+15550100021", "at": Self.tokyo(3600), "time_zone": "Asia/Tokyo"])
        let (past, pastError) = try await serve.send("POST", "callbacks", ["phone": "+15550100022", "at": "2001-01-01T10:00:00Z"])
        #expect(past == 400 && ((pastError["error"] as? [String: Any])?["field"] as? String) == "at", "a callback in the past: \(pastError)")
        #expect(try await serve.send("GET", "callbacks/\(soon)").1["status"] as? String == "scheduled")

        var callback: [String: Any] = [:]
        try await poll(timeout: .seconds(30)) {
            callback = try await serve.send("GET", "callbacks/\(soon)").1
            return callback["status"] as? String == "done"
        }
        #expect(callback["status"] as? String == "done" && callback["last_outcome"] as? String == "answered", "\(callback)")
        let cdr = try #require((callback["cdrs"] as? [[String: Any]])?.first, "\(callback)")
        let started = ISO8601DateFormatter().date(from: cdr["started_at"] as? String ?? "")?.timeIntervalSince1970 ?? 0
        #expect(started >= requested + 2, "placed when due, not before (seconds are truncated)")

        let (moved, body) = try await serve.send("PATCH", "callbacks/\(later)", ["at": "2030-01-02T03:04:05Z"])
        #expect(moved == 200 && body["at"] as? String == "2030-01-02T03:04:05Z", "\(body)")
        let (cancelled, gone) = try await serve.send("DELETE", "callbacks/\(later)")
        #expect(cancelled == 200 && gone["status"] as? String == "cancelled")
        #expect(try await serve.send("DELETE", "callbacks/\(later)").0 == 409)
        #expect(try await serve.send("PATCH", "callbacks/\(soon)", ["at": "2030-01-02T03:04:05Z"]).0 == 409, "done")
        let (_, scheduled) = try await serve.send("GET", "callbacks?status=scheduled")
        #expect((scheduled["callbacks"] as? [[String: Any]])?.isEmpty == true)

        for (body, field) in [(["at": Self.tokyo(60)], "phone"), (["phone": "+15550100022"], "at"),
                              (["phone": "+15550100022", "at": "tomorrow"], "at"),
                              (["phone": "+15550100022", "at": Self.tokyo(60), "time_zone": "Tokyo"], "time_zone")] as [([String: Any], String)] {
            let (status, problem) = try await serve.send("POST", "callbacks", body)
            #expect(status == 400 && (problem["error"] as? [String: Any])?["field"] as? String == field, "\(body): \(problem)")
        }
    }
}
