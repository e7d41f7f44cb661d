import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Media
import SIPSimulator
import Testing

/// Answering-machine detection end to end: `serve` places two calls with an `amd` flow to a
/// `sipdial simulate` trunk, one answered by a person ("Hello?", Audio/greeting-human.wav)
/// and one by a machine (Audio/greeting-machine.wav: a 14 s greeting, then a 1 kHz beep from
/// 14.26 to 14.86 s). Each CDR carries the verdict; the person hears the `on_human` verbs; the
/// machine's voicemail message starts after its beep (what the simulator recorded holds
/// nothing from sipdial before the beep's end and the message right after).
struct ServeAMDTests {
    static var flow: [[String: Any]] { [[
        "verb": "amd", "timeout": 8, "keep_audio": true,
        "on_human": [["verb": "say", "text": "Hello, this is a quick survey from the clinic."]],
        "on_machine": [["verb": "wait_for_beep", "timeout": 25], ["verb": "say", "text": "Please call the clinic back about your appointment."]],
    ]] }

    /// Where in `samples` (8 kHz) sound first comes after `from` ms: the first 20 ms louder than -40 dB.
    static func firstSoundMs(in samples: [Int16], from: Int = 0) -> Int? {
        var start = from * 8
        while start + 160 <= samples.count {
            var energy = 0.0
            for x in samples[start..<(start + 160)] { energy += Double(x) * Double(x) }
            if 10 * log10(max(energy / 160, 1) / (32768.0 * 32768.0)) > -40 { return start / 8 }
            start += 160
        }
        return nil
    }

    /// What the simulator recorded of a call, once it has written it (at the call's end).
    static func recording(_ setup: ServeCallTests.TrunkedServe, _ callID: String) async throws -> [Int16] {
        var samples: [Int16]?
        _ = try await poll(timeout: .seconds(10)) {
            samples = try? setup.farEndRecording(callID)
            return samples != nil
        }
        return try samples ?? setup.farEndRecording(callID)
    }

    @Test func aPersonHearsTheFlowAndAMachineGetsItsMessageAfterTheBeep() async throws {
        let person = "+15550100301", machine = "+15550100302"
        let setup = try await ServeCallTests.TrunkedServe.start(["--behaviour", "\(person)=answer,greeting=human",
                                                                  "--behaviour", "\(machine)=answer,greeting=machine"])
        defer { setup.stop() }
        let serve = setup.serve
        let dirForKeptAudio = setup.dir
        let personCall = try await serve.create("calls", ["phone": person, "trunk_id": setup.trunkID, "flow": Self.flow])
        let machineCall = try await serve.create("calls", ["phone": machine, "trunk_id": setup.trunkID, "flow": Self.flow])

        let personEnded = try await ServeCallTests.waitForCall(serve, personCall, status: "ended", timeout: .seconds(40))
        let personCDR = try #require(personEnded["cdr"] as? [String: Any], "\(personEnded)")
        let personAMD = try #require(personCDR["amd"] as? [String: Any], "\(personCDR)")
        #expect(personAMD["verdict"] as? String == "human", "\(personAMD)")
        #expect((personAMD["decision_ms"] as? Int ?? 99_999) < 2500, "\(personAMD)")
        // What the detector heard was kept (`keep_audio`): 8 kHz, at most its timeout + 5 s,
        // and judged offline it gives the same verdict.
        #expect(personCDR["amd_audio"] as? String == "/v1/cdrs/\(personCDR["id"] as? String ?? "")/amd_audio", "\(personCDR)")
        var audioRequest = URLRequest(url: serve.base.appendingPathComponent("cdrs/\(personCDR["id"] as? String ?? "")/amd_audio"))
        audioRequest.setValue("Bearer \(serve.token)", forHTTPHeaderField: "Authorization")
        let kept = dirForKeptAudio.appendingPathComponent("person-amd.wav")
        try await URLSession.shared.data(for: audioRequest).0.write(to: kept)
        let heard = try WAVAudio.read(path: kept.path)
        #expect(heard.sampleRate == 8000 && heard.duration > 1 && heard.duration <= 13, "\(heard.duration) s")
        #expect(try AnsweringMachineDetector.judge(heard).verdict == .human)
        // The person heard the on_human prompt: sipdial's audio in the simulator's recording.
        let heardByPerson = try await Self.recording(setup, try #require(personCDR["sip_call_id"] as? String))
        #expect(Self.firstSoundMs(in: heardByPerson) != nil, "the person heard nothing")

        let machineEnded = try await ServeCallTests.waitForCall(serve, machineCall, status: "ended", timeout: .seconds(60))
        let machineCDR = try #require(machineEnded["cdr"] as? [String: Any], "\(machineEnded)")
        let machineAMD = try #require(machineCDR["amd"] as? [String: Any], "\(machineCDR)")
        #expect(machineAMD["verdict"] as? String == "machine", "\(machineAMD)")
        let beep = try #require(machineAMD["beep"] as? [String: Any], "\(machineAMD)")
        #expect(abs((beep["start_ms"] as? Int ?? 0) - 14260) <= 150 && abs((beep["frequency_hz"] as? Int ?? 0) - 1000) <= 15, "\(beep)")
        let messageStarted = try #require(machineAMD["message_started_ms"] as? Int, "\(machineAMD)")
        #expect(messageStarted >= (beep["end_ms"] as? Int ?? .max), "\(machineAMD)")
        // In what the machine recorded (its answer is 0), sipdial said nothing before the
        // beep ended, and the message starts at most 300 ms (plus a packet's way) after it.
        let recorded = try await Self.recording(setup, try #require(machineCDR["sip_call_id"] as? String))
        let messageInRecording = try #require(Self.firstSoundMs(in: recorded), "the machine recorded no message")
        #expect(messageInRecording >= 14_860 && messageInRecording <= 14_860 + 400, "message at \(messageInRecording) ms")
    }

    /// A campaign with answering-machine detection set (`amd`: voicemail): the person hears
    /// the campaign's flow, the machine gets the voicemail message after its beep; the
    /// campaign's statistics count the verdicts and the message, the status callback gets
    /// an `amd` event with each verdict.
    @Test func aCampaignsAMDSettingDropsVoicemailAndCountsTheVerdicts() async throws {
        let person = "+15550100311", machine = "+15550100312"
        let receiver = try await WebhookReceiver(failFirst: 0)
        defer { Task { await receiver.shutdown() } }
        let setup = try await ServeCallTests.TrunkedServe.start(["--behaviour", "\(person)=answer,greeting=human",
                                                                  "--behaviour", "\(machine)=answer,greeting=machine"])
        defer { setup.stop() }
        let serve = setup.serve
        let campaign = try await ServeCampaignTests.campaign(serve, trunkPort: setup.trunk.port, phones: [person, machine], settings: [
            "calls_per_minute": 120, "max_concurrent": 2, "status_callback": "http://127.0.0.1:\(receiver.port)/hooks",
            "flow": [["verb": "say", "text": "Hello, this is a quick survey from the clinic."]],
            "amd": ["machine_action": "voicemail", "beep_timeout": 25,
                    "voicemail": [["verb": "say", "text": "Please call the clinic back about your appointment."]]],
        ])
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)
        let final = try await serve.waitForCampaign(campaign, timeout: .seconds(90), until: ServeCampaignTests.isCompleted)
        let statistics = try #require(final["statistics"] as? [String: Int], "\(final)")
        #expect(statistics["answered"] == 2 && statistics["amd_human"] == 1 && statistics["amd_machine"] == 1 && statistics["amd_messages_left"] == 1,
                "\(statistics)")

        let cdrs = try await serve.send("GET", "cdrs?campaign_id=\(campaign)").1["cdrs"] as? [[String: Any]] ?? []
        let machineCDR = try #require(cdrs.first { $0["phone"] as? String == machine }, "\(cdrs)")
        let machineAMD = try #require(machineCDR["amd"] as? [String: Any], "\(machineCDR)")
        let beepEnd = try #require((machineAMD["beep"] as? [String: Any])?["end_ms"] as? Int, "\(machineAMD)")
        let recorded = try await Self.recording(setup, try #require(machineCDR["sip_call_id"] as? String))
        let messageInRecording = try #require(Self.firstSoundMs(in: recorded), "the machine recorded no message")
        #expect(messageInRecording >= beepEnd && messageInRecording <= 14_860 + 400, "message at \(messageInRecording) ms, beep ended at \(beepEnd)")

        try await poll(timeout: .seconds(10), every: .milliseconds(100)) {
            receiver.received.filter { $0.body.contains(#""event":"completed""#) }.count == 2
        }
        let events = receiver.received.compactMap { try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any] }
        let verdicts = Dictionary(events.filter { $0["event"] as? String == "amd" }.map {
            ($0["phone"] as? String ?? "", ($0["amd"] as? [String: Any])?["verdict"] as? String ?? "")
        }, uniquingKeysWith: { $0 + "," + $1 })
        #expect(verdicts == [person: "human", machine: "machine"], "\(receiver.received.map(\.body))")
    }

    /// 8 kHz tones at -18 dB: each part a frequency (two for a dual tone, none for silence) and ms.
    static func tones(_ parts: [([Double], Int)]) -> [Int16] {
        var samples: [Int16] = []
        for (frequencies, ms) in parts {
            let amplitude = 32768 * (2 * pow(10, -18.0 / 10)).squareRoot() / Double(max(frequencies.count, 1))
            let start = samples.count
            for n in 0..<(ms * 8) {
                let t = Double(start + n) / 8000
                samples.append(Int16(amplitude * frequencies.reduce(0) { $0 + sin(2 * .pi * $1 * t) }))
            }
        }
        return samples
    }

    /// Issue #22 item 5: a number answered by the network's special information tone (vacant
    /// code) ends `invalid_number`, one answered with ringback (a false answer) `no_answer`;
    /// each CDR says why, and neither hears the flow.
    @Test func networkTonesAfterTheAnswerEndTheCallWithTheirDisposition() async throws {
        let vacant = "+15550100321", falseAnswer = "+15550100322"
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sit = dir.appendingPathComponent("sit-vacant.wav").path, ringback = dir.appendingPathComponent("ringback.wav").path
        try WAVWriter.write(path: sit, channels: [Self.tones([([913.8], 274), ([1370.6], 274), ([1776.7], 380), ([], 4000)])], sampleRate: 8000)
        try WAVWriter.write(path: ringback, channels: [Self.tones([([440, 480], 2000), ([], 4000), ([440, 480], 2000), ([], 4000)])], sampleRate: 8000)
        let setup = try await ServeCallTests.TrunkedServe.start(["--behaviour", "\(vacant)=answer,greeting=\(sit)",
                                                                  "--behaviour", "\(falseAnswer)=answer,greeting=\(ringback)"])
        defer { setup.stop() }
        let serve = setup.serve
        let campaign = try await ServeCampaignTests.campaign(serve, trunkPort: setup.trunk.port, phones: [vacant, falseAnswer], settings: [
            "calls_per_minute": 120, "max_concurrent": 2, "flow": [["verb": "say", "text": "Hello, this is the clinic."]],
            "amd": ["machine_action": "hangup"],
        ])
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)
        let final = try await serve.waitForCampaign(campaign, timeout: .seconds(60), until: ServeCampaignTests.isCompleted)
        let statistics = try #require(final["statistics"] as? [String: Int], "\(final)")
        #expect(statistics["invalid_number"] == 1 && statistics["no_answer"] == 1 && statistics["answered"] == 0, "\(statistics)")
        let cdrs = try await serve.send("GET", "cdrs?campaign_id=\(campaign)").1["cdrs"] as? [[String: Any]] ?? []
        let vacantCDR = try #require(cdrs.first { $0["phone"] as? String == vacant }, "\(cdrs)")
        #expect(vacantCDR["disposition"] as? String == "invalid_number" && (vacantCDR["reason"] as? String ?? "").contains("vacant-code"), "\(vacantCDR)")
        let evidence = ((vacantCDR["amd"] as? [String: Any])?["evidence"] as? [String: Any]) ?? [:]
        #expect(evidence["special_information_tone"] as? String == "vacant-code", "\(vacantCDR)")
        let falseCDR = try #require(cdrs.first { $0["phone"] as? String == falseAnswer }, "\(cdrs)")
        #expect(falseCDR["disposition"] as? String == "no_answer" && (falseCDR["reason"] as? String ?? "").contains("ringback"), "\(falseCDR)")
        for cdr in [vacantCDR, falseCDR] {
            let heard = try await Self.recording(setup, try #require(cdr["sip_call_id"] as? String))
            #expect(Self.firstSoundMs(in: heard) == nil, "the flow was played to \(cdr["phone"] ?? "")")
        }
    }

    /// Issue #22 item 5, before the answer: a trunk that rings with early media and then
    /// plays a special information tone (vacant code) is cancelled at the tone with
    /// `invalid_number`; one whose early media is only ringback rings on until the ring
    /// timeout (`no_answer`, 487): ringback is what ringing sounds like.
    @Test func aSpecialInformationToneInEarlyMediaEndsTheCall() async throws {
        let vacant = "+15550100331", ringing = "+15550100332"
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sit = dir.appendingPathComponent("ringback-then-sit.wav").path, ringback = dir.appendingPathComponent("ringback.wav").path
        let ring: [([Double], Int)] = [([440, 480], 2000), ([], 4000)]
        try WAVWriter.write(path: sit, channels: [Self.tones(ring + [([913.8], 274), ([1370.6], 274), ([1776.7], 380), ([], 8000)])], sampleRate: 8000)
        try WAVWriter.write(path: ringback, channels: [Self.tones(ring + ring + ring)], sampleRate: 8000)
        let setup = try await ServeCallTests.TrunkedServe.start(["--behaviour", "\(vacant)=no-answer,early-media,greeting=\(sit)",
                                                                  "--behaviour", "\(ringing)=no-answer,early-media,greeting=\(ringback)"])
        defer { setup.stop() }
        let serve = setup.serve
        let campaign = try await ServeCampaignTests.campaign(serve, trunkPort: setup.trunk.port, phones: [vacant, ringing], settings: [
            "calls_per_minute": 120, "max_concurrent": 2, "ring_timeout": 12, "flow": [["verb": "say", "text": "Hello, this is the clinic."]],
            "amd": ["machine_action": "hangup"],
        ])
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)
        let final = try await serve.waitForCampaign(campaign, timeout: .seconds(60), until: ServeCampaignTests.isCompleted)
        let cdrs = try await serve.send("GET", "cdrs?campaign_id=\(campaign)").1["cdrs"] as? [[String: Any]] ?? []
        let vacantCDR = try #require(cdrs.first { $0["phone"] as? String == vacant }, "\(final) \(cdrs)")
        #expect(vacantCDR["disposition"] as? String == "invalid_number" && vacantCDR["answered_at"] is NSNull, "\(vacantCDR)")
        #expect((vacantCDR["reason"] as? String ?? "").contains("early media"), "\(vacantCDR)")
        #expect((vacantCDR["talk_seconds"] as? Double ?? 1) == 0, "\(vacantCDR)")
        let iso = ISO8601DateFormatter()
        let started = iso.date(from: vacantCDR["started_at"] as? String ?? ""), ended = iso.date(from: vacantCDR["ended_at"] as? String ?? "")
        #expect((ended?.timeIntervalSince(started ?? .distantPast) ?? 99) < 10, "cancelled at the tone (6-7 s into early media), not at the 12 s ring timeout: \(vacantCDR)")
        let ringingCDR = try #require(cdrs.first { $0["phone"] as? String == ringing }, "\(cdrs)")
        #expect(ringingCDR["disposition"] as? String == "no_answer" && ringingCDR["sip_code"] as? Int == 487, "\(ringingCDR)")
    }

    /// Issue #22 item 8, end to end: a campaign with AMD and voicemail drop against the
    /// simulator scripted with every generated greeting kind. Each CDR's verdict is what the
    /// simulator played (its `<Call-ID>.json`); a machine gets the message after its beep (or
    /// after its greeting, when it has no beep), complete, even one taken for a person at
    /// first (the flow stops at the revised verdict); people (and
    /// silence) hear the campaign's flow, a fax machine nothing; a network tone ends the call
    /// with its disposition.
    @Test func everyGreetingKindIsJudgedAsWhatItIs() async throws {
        let kinds = ["human-short", "human-double-hello", "human-receptionist", "machine-short", "machine-long", "machine-no-beep",
                     "silence", "fax", "sit"]
        let phones = kinds.indices.map { "+155501004\(10 + $0)" }
        let setup = try await ServeCallTests.TrunkedServe.start(zip(phones, kinds).flatMap { ["--behaviour", "\($0)=answer,greeting=\($1)"] })
        defer { setup.stop() }
        let serve = setup.serve
        let message = "Please call the clinic back about your appointment."
        let campaign = try await ServeCampaignTests.campaign(serve, trunkPort: setup.trunk.port, phones: phones, settings: [
            // A flow as long as a real one (about 9 s), so a machine taken for a person at
            // first is still listened to when its greeting goes on.
            "calls_per_minute": 600, "max_concurrent": kinds.count, "flow": [["verb": "say", "text":
                "Hello, this is a quick survey from the clinic. We would like to know how your last visit went. Please stay on the line for two questions."]],
            "amd": ["machine_action": "voicemail", "beep_timeout": 25, "voicemail": [["verb": "say", "text": message]]],
        ])
        #expect(try await serve.send("POST", "campaigns/\(campaign)/start").0 == 200)
        let final = try await serve.waitForCampaign(campaign, timeout: .seconds(90), until: ServeCampaignTests.isCompleted)
        let cdrs = try await serve.send("GET", "cdrs?campaign_id=\(campaign)").1["cdrs"] as? [[String: Any]] ?? []
        #expect(cdrs.count == kinds.count, "\(final)")
        for (phone, kind) in zip(phones, kinds) {
            let cdr = try #require(cdrs.first { $0["phone"] as? String == phone }, "\(kind): \(cdrs)")
            let callID = try #require(cdr["sip_call_id"] as? String)
            let heard = try await Self.recording(setup, callID)
            let played = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: setup.dir.appendingPathComponent(
                AnsweringMedia.fileName(for: callID)).deletingPathExtension().appendingPathExtension("json"))) as? [String: Any], "\(kind)")
            let amd = try #require(cdr["amd"] as? [String: Any], "\(kind): \(cdr)")
            #expect(played["greeting"] as? String == kind)
            #expect(amd["verdict"] as? String == played["truth"] as? String, "\(kind): \(amd)")
            let firstSound = Self.firstSoundMs(in: heard)
            switch played["truth"] as? String {
            case "human", "silence":
                #expect(firstSound != nil, "\(kind): the flow was not played")
            case "machine" where kind == "sit":
                #expect(["invalid_number", "congestion"].contains(cdr["disposition"] as? String ?? ""), "\(kind): \(cdr)")
                #expect(firstSound == nil, "\(kind): the network's tone heard the flow")
            case "machine":
                let started = try #require(amd["message_started_ms"] as? Int, "\(kind): \(amd)")
                let after = played["beep_end_ms"] as? Int ?? (played["speech_end_ms"] as? Int ?? 0)
                // A machine taken for a person at first heard the flow until the verdict was
                // revised; then sipdial fell silent until the message.
                let revised = amd["revised"] as? Bool == true
                let sound = try #require(revised ? Self.firstSoundMs(in: heard, from: after - 300) : firstSound,
                                         "\(kind): the machine recorded no message")
                #expect(sound >= after && sound <= (played["beep_end_ms"] == nil ? after + 3_600 : after + 400),
                        "\(kind): message at \(sound) ms in the recording (\(started) ms by sipdial's clock), the greeting ended at \(after)")
            default:
                #expect(firstSound == nil, "\(kind): the fax machine heard the flow: \(cdr)")
            }
        }
        let statistics = try #require(final["statistics"] as? [String: Int], "\(final)")
        #expect(statistics["amd_human"] == 3 && statistics["amd_silence"] == 1 && statistics["amd_fax"] == 1 && statistics["amd_machine"] == 4, "\(statistics)")
    }
}

