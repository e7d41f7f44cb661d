import Foundation
import SIPCore
import SIPTransport
import SIPUserAgent
import Testing

/// SIPp as the UAC, sipdial's transport + transaction layer + auto-answer UAS as the UAS,
/// over real sockets on 127.0.0.1.
@Suite(.serialized)
struct SIPpCallsSipdialTests {
    static let transports: [(String, SIPTransportType)] = [("u1", .udp), ("t1", .tcp)]

    func run(_ args: [String], against stack: LocalSIPStack, from localIP: String = "127.0.0.1", timeout: Int = 20) async throws -> (Int32?, String, String) {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sipp = try SIPp.start(["127.0.0.1:\(stack.port)"] + args, localPort: Ports.free(), localIP: localIP, timeoutSeconds: timeout, in: dir)
        let status = await sipp.wait(timeout: .seconds(timeout + 10))
        return (status, sipp.text, SIPp.errors(in: dir))
    }

    @Test(arguments: ["u1", "t1"])
    func optionsIsAnsweredWithCapabilities(_ mode: String) async throws {
        let stack = try await LocalSIPStack(autoAnswer: true)
        defer { Task { await stack.shutdown() } }
        let (status, out, errors) = try await run(["-sf", SIPp.scenario("options_uac"), "-t", mode, "-m", "3", "-r", "20"], against: stack)
        #expect(status == 0, "sipp: \(out.suffix(600)) \(errors)")
    }

    @Test(arguments: ["u1", "t1"])
    func builtInUACCallsAreAnsweredAndHungUp(_ mode: String) async throws {
        let stack = try await LocalSIPStack(autoAnswer: true)
        defer { Task { await stack.shutdown() } }
        let (status, out, errors) = try await run(["-sn", "uac", "-t", mode, "-m", "10", "-r", "50", "-d", "200"], against: stack)
        #expect(status == 0, "sipp: \(out.suffix(600)) \(errors)")
        #expect(try await stack.uas!.activeCalls() == 0)
        let counts = try await stack.transactions.transactionCounts()
        #expect(counts.client == 0)
    }

    @Test func uasRetransmitsTwoHundredUntilAcked() async throws {
        let stack = try await LocalSIPStack(autoAnswer: true)
        defer { Task { await stack.shutdown() } }
        let (status, out, errors) = try await run(["-sf", SIPp.scenario("uac_late_ack"), "-m", "2", "-r", "10"], against: stack)
        #expect(status == 0, "sipp: \(out.suffix(600)) \(errors)")
        // SIPp held its ACK for 1.7 s; the 200 had to come again (T1 and 3*T1 after the first).
        #expect((SIPp.retransmissions(of: "200", in: out) ?? 0) >= 2, "sipp: \(out.suffix(900))")
    }

    @Test func cancelWhileRingingEndsTheInviteWith487() async throws {
        let stack = try await LocalSIPStack(autoAnswer: true, answerDelay: .seconds(10))
        defer { Task { await stack.shutdown() } }
        let (status, out, errors) = try await run(["-sf", SIPp.scenario("uac_cancel"), "-m", "2", "-r", "10"], against: stack)
        #expect(status == 0, "sipp: \(out.suffix(600)) \(errors)")
        #expect(stack.uas!.answered == 0, "a cancelled call must not be answered")
        #expect(try await stack.uas!.activeCalls() == 0)
    }

    @Test(arguments: ["u1", "t1"])
    func unknownSourceIsRefusedWith403(_ mode: String) async throws {
        let peers = try SIPPeerAllowList(["127.0.0.1"])
        let stack = try await LocalSIPStack(autoAnswer: true, allowedPeers: peers)
        defer { Task { await stack.shutdown() } }
        // 127.0.0.2 is loopback too, but not a configured peer.
        let (status, out, errors) = try await run(["-sf", SIPp.scenario("uac_expect_403"), "-t", mode, "-m", "3", "-r", "20"], against: stack, from: "127.0.0.2")
        #expect(status == 0, "sipp: \(out.suffix(600)) \(errors)")
        #expect(stack.uas!.answered == 0 && stack.uas!.refusedPeers == 3)
        // The configured peer is still answered.
        let (allowed, out2, errors2) = try await run(["-sn", "uac", "-t", mode, "-m", "2", "-r", "20", "-d", "100"], against: stack)
        #expect(allowed == 0, "sipp: \(out2.suffix(600)) \(errors2)")
        #expect(stack.uas!.answered == 2)
    }
}
