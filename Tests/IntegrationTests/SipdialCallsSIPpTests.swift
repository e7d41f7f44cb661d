import Foundation
import SIPCore
import SIPTransport
import Testing

/// sipdial's client transactions against SIPp UAS scenarios over real sockets on 127.0.0.1.
@Suite(.serialized)
struct SipdialCallsSIPpTests {
    /// Starts SIPp as a UAS on a free port and waits until it listens.
    func startUAS(_ args: [String], transport: SIPTransportType, in dir: URL) async throws -> (ExternalProcess, Int) {
        try await SIPp.listening(args + ["-t", transport == .udp ? "u1" : "t1", "-m", "1"], udp: transport == .udp, in: dir)
    }

    /// INVITE → final response; on 2xx send the ACK and a BYE, and return the BYE's final.
    func call(_ stack: LocalSIPStack, port: Int, transport: SIPTransportType) async throws -> (invite: [SIPClientTransactionEvent], bye: [SIPClientTransactionEvent]) {
        let destination = LocalSIPStack.destination(port, transport)
        let invite = stack.request(.invite, toPort: port, transport: transport, body: sampleOffer)
        let events = await stack.run(invite, to: destination)
        guard case .response(let ok)? = events.last, ok.isSuccess else { return (events, []) }
        let ack = SIPRequestFactory.ackFor2xx(invite: invite, response: ok, via: stack.via(transport))
        _ = try await stack.transactions.sendStateless(.request(ack), to: destination).get()
        let toTag = try SIPAddress(parsing: ok.headers[.to]!).tag
        let bye = stack.request(.bye, toPort: port, transport: transport, callID: invite.headers[.callID]!, cseq: 2, toTag: toTag)
        return (events, await stack.run(bye, to: destination))
    }

    @Test(arguments: [SIPTransportType.udp, .tcp])
    func inviteAckByeAgainstBuiltInUAS(_ transport: SIPTransportType) async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (sipp, port) = try await startUAS(["-sn", "uas"], transport: transport, in: dir)
        let stack = try await LocalSIPStack(autoAnswer: false)
        defer { Task { await stack.shutdown() } }
        let (invite, bye) = try await call(stack, port: port, transport: transport)
        let codes = invite.compactMap { if case .response(let r) = $0 { r.statusCode } else { nil } }
        #expect(codes.contains(180) && codes.last == 200, "INVITE events: \(invite)")
        #expect(bye.last.map { if case .response(let r) = $0 { r.statusCode == 200 } else { false } } == true, "BYE events: \(bye)")
        #expect(await sipp.wait(timeout: .seconds(15)) == 0, "sipp: \(sipp.text.suffix(600)) \(SIPp.errors(in: dir))")
    }

    @Test func inviteIsRetransmittedOnTimerAWhileTheUASIsSilent() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (sipp, port) = try await startUAS(["-sf", SIPp.scenario("uas_late_answer")], transport: .udp, in: dir)
        let stack = try await LocalSIPStack(autoAnswer: false)
        defer { Task { await stack.shutdown() } }
        let (invite, bye) = try await call(stack, port: port, transport: .udp)
        #expect(invite.last.map { if case .response(let r) = $0 { r.statusCode == 200 } else { false } } == true, "INVITE events: \(invite)")
        #expect(bye.count >= 1)
        #expect(await sipp.wait(timeout: .seconds(15)) == 0, "sipp: \(sipp.text.suffix(600)) \(SIPp.errors(in: dir))")
        // SIPp stayed silent 1.7 s: Timer A resent the INVITE at 0.5 s and 1.5 s, and SIPp saw both.
        #expect(SIPp.retransmissions(of: "INVITE", in: sipp.text) == 2, "sipp: \(sipp.text.suffix(900))")
    }

    @Test func optionsIsRetransmittedOnTimerEWhileTheUASIsSilent() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (sipp, port) = try await startUAS(["-sf", SIPp.scenario("uas_late_options")], transport: .udp, in: dir)
        let stack = try await LocalSIPStack(autoAnswer: false)
        defer { Task { await stack.shutdown() } }
        let started = ContinuousClock.now
        let events = await stack.run(stack.request(.options, toPort: port, transport: .udp), to: LocalSIPStack.destination(port, .udp))
        #expect(events.last.map { if case .response(let r) = $0 { r.statusCode == 200 } else { false } } == true, "events: \(events)")
        #expect(ContinuousClock.now - started >= .milliseconds(1600))
        #expect(await sipp.wait(timeout: .seconds(15)) == 0, "sipp: \(sipp.text.suffix(600)) \(SIPp.errors(in: dir))")
        // Timer E: resent at 0.5 s and 1.5 s while SIPp was silent.
        #expect(SIPp.retransmissions(of: "OPTIONS", in: sipp.text) == 2, "sipp: \(sipp.text.suffix(900))")
    }

    /// RFC 3263 §4.3: the first target answers 503 Retry-After, the request moves to the
    /// second; the next request skips the first target while its Retry-After lasts.
    @Test func failsOverOn503AndHonoursRetryAfter() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (refusing, refusingPort) = try await startUAS(["-sf", SIPp.scenario("uas_503_retry_after")], transport: .udp, in: dir)
        let (answering, secondPort) = try await SIPp.listening(["-sn", "uas", "-t", "u1", "-m", "2"], timeoutSeconds: 25, in: dir)
        let stack = try await LocalSIPStack(autoAnswer: false)
        defer { Task { await stack.shutdown() } }
        let targets = [LocalSIPStack.destination(refusingPort, .udp), LocalSIPStack.destination(secondPort, .udp)]
        for call in 1...2 {
            let invite = stack.request(.invite, toPort: secondPort, transport: .udp, body: sampleOffer)
            let events = await stack.run(invite, trying: targets)
            guard case .response(let ok)? = events.last, ok.statusCode == 200 else {
                Issue.record("call \(call): \(events)")
                return
            }
            let ack = SIPRequestFactory.ackFor2xx(invite: invite, response: ok, via: stack.via(.udp))
            let destination = targets[1]
            _ = try await stack.transactions.sendStateless(.request(ack), to: destination).get()
            let bye = stack.request(.bye, toPort: secondPort, transport: .udp, callID: invite.headers[.callID]!, cseq: 2, toTag: try SIPAddress(parsing: ok.headers[.to]!).tag)
            let byeEvents = await stack.run(bye, to: destination)
            #expect(byeEvents.last.map { if case .response(let r) = $0 { r.statusCode == 200 } else { false } } == true)
        }
        // The refusing SIPp saw exactly one INVITE (its scenario ends after it) and succeeded.
        #expect(await refusing.wait(timeout: .seconds(15)) == 0, "503 sipp: \(refusing.text.suffix(600))")
        #expect(SIPp.messages(of: "INVITE", in: refusing.text) == 1, "the second call must skip the 503 target: \(refusing.text.suffix(600))")
        #expect(await answering.wait(timeout: .seconds(20)) == 0, "uas sipp: \(answering.text.suffix(600)) \(SIPp.errors(in: dir))")
    }
}
