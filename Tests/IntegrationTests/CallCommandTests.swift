import Foundation
import Testing

/// `sipdial call` against SIPp UAS scenarios (Tests/IntegrationTests/Scenarios) over real
/// sockets on 127.0.0.1: each case checks the outcome sipdial prints and that SIPp saw the
/// whole scenario (exit 0).
@Suite(.serialized)
struct CallCommandTests {
    struct Outcome {
        let status: Int32?
        let json: [String: Any]
        let output: String
        var outcome: String? { json["outcome"] as? String }
        var code: Int? { json["sip_code"] as? Int }
        var reason: String? { json["reason"] as? String }
        var hungUpBy: String? { json["hung_up_by"] as? String }
        var provisionals: [Int] { json["provisionals"] as? [Int] ?? [] }
        var q850: Int? { (json["q850"] as? [String: Any])?["cause"] as? Int }
    }

    /// Starts SIPp as a UAS (a scenario file, or `-sn uas` for nil) on a free port.
    func startSIPp(_ scenario: String?, transport: String = "udp", in dir: URL) async throws -> (ExternalProcess, Int) {
        let args = (scenario.map { ["-sf", SIPp.scenario($0)] } ?? ["-sn", "uas"]) + ["-t", transport == "udp" ? "u1" : "t1", "-m", "1"]
        return try await SIPp.listening(args, udp: transport == "udp", in: dir)
    }

    func call(_ target: String, _ args: [String]) async throws -> Outcome {
        let (status, out) = try await SipdialBinary.run(["call", target, "--json", "--local-address", "127.0.0.1"] + args, timeout: .seconds(40))
        return Outcome(status: status, json: SipdialBinary.jsonObject(in: out), output: out)
    }

    /// Calls a fresh SIPp running `scenario` and waits for SIPp to finish.
    func callSIPp(_ scenario: String?, transport: String = "udp", _ args: [String] = []) async throws -> Outcome {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (sipp, port) = try await startSIPp(scenario, transport: transport, in: dir)
        let target = "sip:service@127.0.0.1:\(port)" + (transport == "udp" ? "" : ";transport=tcp")
        let result = try await call(target, args)
        let status = await sipp.wait(timeout: .seconds(20))
        // Over TCP SIPp sometimes logs the connection sipdial closed as it exited ("remote
        // peer probably closed the socket") and exits non-zero although its statistics count
        // the call successful and none failed: that is teardown noise, not a failed call.
        let onlyTeardownNoise = transport == "tcp" && sipp.text.contains("remote peer probably closed the socket")
            && sipp.text.range(of: #"Successful call\s*\|\s*1\s*\|"#, options: .regularExpression) != nil
            && sipp.text.range(of: #"Failed call\s*\|\s*0\s*\|"#, options: .regularExpression) != nil
        #expect(status == 0 || onlyTeardownNoise, "SIPp (\(scenario ?? "uas")): \(sipp.text.suffix(800)) \(SIPp.errors(in: dir)) sipdial: \(result.output)")
        return result
    }

    @Test(arguments: ["udp", "tcp"])
    func answeredAndHungUpBySipdial(_ transport: String) async throws {
        // Over TCP without the built-in scenario's closing wait (see uas_answer.xml).
        let r = try await callSIPp(transport == "tcp" ? "uas_answer" : nil, transport: transport, ["--hold", "0.5"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.outcome == "answered" && r.code == 200 && r.hungUpBy == "local", "\(r.output)")
        #expect(r.provisionals == [180], "\(r.output)")
    }

    @Test func farEndHangsUpWithQ850Reason() async throws {
        let r = try await callSIPp("uas_far_end_bye", ["--hold", "10"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.outcome == "answered" && r.hungUpBy == "remote" && r.q850 == 16, "\(r.output)")
        let talk = (r.json["times"] as? [String: Any])?["talk"] as? Double ?? 99
        #expect(talk < 5, "the far end's BYE ended the call before --hold: \(r.output)")
    }

    /// A malformed BYE from the far end (empty Request-URI) is refused with 400 and changes
    /// nothing: the call still hangs up at --hold, and the far end's silence to that BYE does
    /// not keep it up (before: ended by Timer F 32 s later, 37 s in all).
    @Test func aRefusedByeChangesNothingAndOurByeEndsTheCallAtOnce() async throws {
        let started = ContinuousClock.now
        let r = try await callSIPp("uas_malformed_bye", ["--hold", "3"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.outcome == "answered" && r.hungUpBy == "local", "\(r.output)")
        let talk = (r.json["times"] as? [String: Any])?["talk"] as? Double ?? 99
        #expect(talk >= 2.9 && talk < 6, "hung up at --hold: \(r.output)")
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test func busy() async throws {
        let r = try await callSIPp("uas_busy")
        #expect(r.status == 1)
        #expect(r.outcome == "busy" && r.code == 486 && r.q850 == 17, "\(r.output)")
    }

    @Test func ringingThen480IsNoAnswer() async throws {
        let r = try await callSIPp("uas_ring_then_480")
        #expect(r.status == 1)
        #expect(r.outcome == "no-answer" && r.code == 480 && r.provisionals == [180], "\(r.output)")
    }

    @Test func ringTimeoutCancels() async throws {
        let r = try await callSIPp("uas_ring_until_cancel", ["--ring-timeout", "1"])
        #expect(r.status == 1)
        #expect(r.outcome == "no-answer" && r.code == 487, "\(r.output)")
        let ended = (r.json["times"] as? [String: Any])?["ended"] as? Double ?? 0
        #expect(ended >= 1 && ended < 5, "\(r.output)")
    }

    @Test func digestChallenge401ThenAnswered() async throws {
        let r = try await callSIPp("uas_auth_401", ["--user", "acme", "--password", "secret", "--hold", "0.3"])
        #expect(r.status == 0 && r.outcome == "answered", "\(r.output)")
    }

    @Test func wrongPasswordIsAnAuthenticationFailureNotALoop() async throws {
        let r = try await callSIPp("uas_auth_401", ["--user", "acme", "--password", "wrong"])
        #expect(r.status == 1)
        #expect(r.outcome == "rejected" && r.code == 401, "\(r.output)")
        #expect(r.reason?.contains("authentication failed") == true, "\(r.output)")
    }

    @Test func proxyChallenge407ThenAnswered() async throws {
        let r = try await callSIPp("uas_auth_407", ["--user", "acme", "--password", "secret", "--hold", "0.3"])
        #expect(r.status == 0 && r.outcome == "answered", "\(r.output)")
    }

    @Test func earlyMediaThenAnswer() async throws {
        let r = try await callSIPp("uas_early_media", ["--hold", "0.3"])
        #expect(r.status == 0 && r.outcome == "answered" && r.provisionals == [183], "\(r.output)")
    }

    @Test func reliableProvisionalIsPracked() async throws {
        // SIPp answers only after a PRACK with RAck "1 1 INVITE".
        let r = try await callSIPp("uas_100rel", ["--hold", "0.3"])
        #expect(r.status == 0 && r.outcome == "answered" && r.provisionals == [183], "\(r.output)")
    }

    @Test func failsOverFrom503ToTheNextProxy() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (refusing, first) = try await startSIPp("uas_503_retry_after", in: dir)
        let (answering, second) = try await startSIPp(nil, in: dir)
        let r = try await call("sip:service@example.invalid", ["--proxy", "127.0.0.1:\(first)", "--proxy", "127.0.0.1:\(second)", "--hold", "0.3"])
        #expect(r.status == 0 && r.outcome == "answered", "\(r.output)")
        #expect(await refusing.wait(timeout: .seconds(20)) == 0, "\(refusing.text.suffix(600))")
        #expect(await answering.wait(timeout: .seconds(20)) == 0, "\(answering.text.suffix(600))")
    }

    @Test func nobodyListeningIsUnreachable() async throws {
        let port = Ports.free()
        let r = try await call("sip:service@127.0.0.1:\(port);transport=tcp", [])
        #expect(r.status == 3 && r.outcome == "unreachable", "\(r.output)")
    }

    @Test func usageErrorsExit2() async throws {
        let (status, out) = try await SipdialBinary.run(["call", "mailto:someone@example.com"])
        #expect(status == 2, "\(out)")
        #expect(out.contains("not a sip: URI"), "\(out)")
    }
}

extension CallCommandTests {
    @Test func secondForkIsAckedAndEndedFirstIsKept() async throws {
        let r = try await callSIPp("uas_forked_answer", ["--hold", "1"])
        #expect(r.status == 0 && r.outcome == "answered" && r.hungUpBy == "local", "\(r.output)")
    }
}

extension CallCommandTests {
    @Test func answersReInviteInfoAndRefreshesTheSessionTimer() async throws {
        // SIPp checks the SDP answer to its re-INVITE, the 200 to INFO and sipdial's UPDATE
        // refresh (Session-Expires 4 s, refreshed at 2 s), then hangs up.
        let r = try await callSIPp("uas_in_dialog_requests", ["--hold", "15"])
        #expect(r.status == 0 && r.outcome == "answered" && r.hungUpBy == "remote", "\(r.output)")
    }
}

extension CallCommandTests {
    /// RFC 4028 §10: the far end took the refresher role and went quiet; sipdial sends BYE
    /// with Q.850 cause 102 before the 4 s session expires, long before --hold ends.
    @Test func sessionExpiryEndsTheCallWithBye() async throws {
        let r = try await callSIPp("uas_session_expires", ["--hold", "30", "--rtp-timeout", "0"])
        #expect(r.status == 0 && r.outcome == "answered" && r.hungUpBy == "local", "\(r.output)")
        let talk = (r.json["times"] as? [String: Any])?["talk"] as? Double ?? 99
        #expect(talk > 2 && talk < 4.5, "BYE between half the interval and its end: \(r.output)")
    }

    /// RFC 3261 §14.2: a re-INVITE from the far end while sipdial's own refresh re-INVITE is
    /// pending gets 491; the call carries on once sipdial's refresh is answered.
    @Test func reInviteGlareIsAnswered491() async throws {
        let r = try await callSIPp("uas_reinvite_glare", ["--hold", "3.5", "--rtp-timeout", "0"])
        #expect(r.status == 0 && r.outcome == "answered" && r.hungUpBy == "local", "\(r.output)")
    }

    /// RFC 3264 §8.4: the far end holds (sendonly → sipdial answers recvonly and stops
    /// sending) and resumes (sendrecv → sendrecv); SIPp checks both answers.
    @Test func holdAndResumeByReInvite() async throws {
        let r = try await callSIPp("uas_hold_resume", ["--hold", "2", "--rtp-timeout", "0"])
        #expect(r.status == 0 && r.outcome == "answered" && r.hungUpBy == "local", "\(r.output)")
    }

    @Test func blindTransferWithReferAndSipfragNotify() async throws {
        let r = try await callSIPp("uas_refer", ["--hold", "0.3", "--transfer-to", "sip:agent@example.com"])
        #expect(r.status == 0 && r.outcome == "answered" && r.hungUpBy == "local", "\(r.output)")
        #expect(r.json["transfer_code"] as? Int == 200, "\(r.output)")
    }
}

extension CallCommandTests {
    @Test func followsATransferTheFarEndAsksFor() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (agent, agentPort) = try await startSIPp(nil, in: dir)
        let transferPort = Ports.free()
        let sipp = try SIPp.start(["-sf", SIPp.scenario("uas_sends_refer"), "-t", "u1", "-m", "1", "-key", "transfer_port", String(agentPort)],
                                  localPort: transferPort, timeoutSeconds: 20, in: dir)
        #expect(await Ports.waitUntilBound(transferPort, udp: true))
        let r = try await call("sip:service@127.0.0.1:\(transferPort)", ["--follow-transfers", "--hold", "0.5"])
        #expect(await sipp.wait(timeout: .seconds(20)) == 0, "transferor: \(sipp.text.suffix(600)) \(SIPp.errors(in: dir)) sipdial: \(r.output)")
        #expect(await agent.wait(timeout: .seconds(20)) == 0, "agent: \(agent.text.suffix(600))")
        #expect(r.outcome == "answered" && r.hungUpBy == "remote", "\(r.output)")
        let followed = r.json["followed_transfer"] as? [String: Any]
        #expect(followed?["outcome"] as? String == "answered" && followed?["hung_up_by"] as? String == "local", "\(r.output)")
    }

    @Test func refusesTransfersUnlessAsked() async throws {
        // Without --follow-transfers the REFER gets 603 (SIPp checks it) and nothing is dialled.
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = Ports.free()
        let sipp = try SIPp.start(["-sf", SIPp.scenario("uas_refer_refused"), "-t", "u1", "-m", "1", "-key", "transfer_port", "5060"],
                                  localPort: port, timeoutSeconds: 10, in: dir)
        #expect(await Ports.waitUntilBound(port, udp: true))
        let r = try await call("sip:service@127.0.0.1:\(port)", ["--hold", "5"])
        #expect(await sipp.wait(timeout: .seconds(15)) == 0, "\(sipp.text.suffix(600)) \(SIPp.errors(in: dir))")
        #expect(r.outcome == "answered" && r.hungUpBy == "remote" && r.json["followed_transfer"] == nil, "\(r.output)")
    }
}

extension CallCommandTests {
    @Test func hiddenCallerIDIsAnonymousWithAssertedIdentity() async throws {
        let r = try await callSIPp("uas_caller_id", ["--from", "\"Acme\" <sip:+15550001111@example.com>", "--hide-caller-id"])
        #expect(r.outcome == "busy", "SIPp checked From, Privacy and P-Asserted-Identity: \(r.output)")
    }
}

/// `sipdial call --amd` against `sipdial simulate`'s greetings: the report says who answered.
struct CallAMDTests {
    @Test func theReportSaysWhoAnswered() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = try await SimulatorProcess.start(["--behaviour", "3101=answer,greeting=human", "--behaviour", "3102=answer,greeting=machine"],
                                                   recordingInto: dir)
        defer { sim.process.stop() }
        async let person = SimulatorScriptTests.call("3101", at: sim.port, ["--amd", "--hold", "3"])
        async let machine = SimulatorScriptTests.call("3102", at: sim.port, ["--amd", "--hold", "6"])
        let (personStatus, personReport, personOut) = try await person
        let (machineStatus, machineReport, machineOut) = try await machine
        #expect(personStatus == 0 && machineStatus == 0, "\(personOut)\n\(machineOut)")
        let personAMD = try #require(personReport["amd"] as? [String: Any], "\(personOut)")
        #expect(personAMD["verdict"] as? String == "human" && (personAMD["decision_ms"] as? Int ?? .max) < 2000, "\(personAMD)")
        let machineAMD = try #require(machineReport["amd"] as? [String: Any], "\(machineOut)")
        #expect(machineAMD["verdict"] as? String == "machine" && machineAMD["evidence"] is [String: Any], "\(machineAMD)")
    }
}
