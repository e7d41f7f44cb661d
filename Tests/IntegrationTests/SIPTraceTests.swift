import Foundation
import Testing

/// `--sip-trace FILE`: the pcap that `call` and `serve` write, read back by tshark, holds every
/// message of a call in order, between the real addresses and ports.
@Suite(.serialized)
struct SIPTraceTests {
    /// tshark's reading of `pcap`: one "source-port destination-port method-or-status CSeq-method" line per SIP message.
    static func messages(in pcap: String) async throws -> [String] {
        let tshark = try ExternalProcess("/usr/bin/tshark", ["-r", pcap, "-Y", "sip", "-T", "fields", "-E", "separator=/s",
                                                             "-e", "udp.srcport", "-e", "udp.dstport", "-e", "sip.Method", "-e", "sip.Status-Code", "-e", "sip.CSeq.method"])
        #expect(await tshark.wait(timeout: .seconds(30)) == 0, "\(tshark.text)")
        return tshark.text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            .filter { !$0.contains("Running as user") && !$0.isEmpty }
    }

    @Test func aCallsTraceHoldsEveryMessageInOrder() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (sipp, port) = try await SIPp.listening(["-sf", SIPp.scenario("uas_answer"), "-t", "u1", "-m", "1"], in: dir)
        defer { sipp.stop() }
        let pcap = dir.appendingPathComponent("call.pcap").path
        let (status, out) = try await SipdialBinary.run(["call", "sip:svc@127.0.0.1:\(port)", "--local-address", "127.0.0.1", "--hold", "0.5",
                                                         "--sip-trace", pcap, "--json"])
        #expect(status == 0, "\(out)")
        #expect(await sipp.wait(timeout: .seconds(20)) == 0, "SIPp answered the BYE: \(sipp.text.suffix(400))")
        let lines = try await Self.messages(in: pcap)
        let flow = lines.map { $0.split(separator: " ").dropFirst(2).joined(separator: " ") }
        #expect(flow == ["INVITE INVITE", "180 INVITE", "200 INVITE", "ACK ACK", "BYE BYE", "200 BYE"], "\(lines)")
        #expect(lines.first?.split(separator: " ").dropFirst().first == Substring(String(port)), "the INVITE went to SIPp's port: \(lines)")
    }

    /// `serve --sip-trace`: a call placed through the REST API to the embedded simulator is in
    /// the trace when serve stops.
    @Test func serveTracesItsCalls() async throws {
        let scratch = ServeCampaignTests.Scratch()
        try FileManager.default.createDirectory(at: scratch.data, withIntermediateDirectories: true)
        let pcap = scratch.data.appendingPathComponent("serve.pcap").path
        let token = try await ServeProcess.token(data: scratch.data)
        let serve = try await ServeProcess.start(data: scratch.data, token: token, ["--simulator-mix", "1:answer,hangup=1", "--sip-trace", pcap])
        let id = try await serve.create("calls", ["phone": "+15550104201", "flow": [["verb": "pause", "seconds": 3]]])
        _ = try await ServeCallTests.waitForCall(serve, id, status: "ended", timeout: .seconds(30))
        serve.process.process.terminate()
        #expect(await serve.process.wait(timeout: .seconds(40)) == 0, "\(serve.process.text.suffix(600))")
        let flow = try await Self.messages(in: pcap).map { $0.split(separator: " ").dropFirst(2).joined(separator: " ") }
        for message in ["INVITE INVITE", "200 INVITE", "ACK ACK", "BYE BYE", "200 BYE"] {
            #expect(flow.contains(message), "\(message) in \(flow)")
        }
    }
}
