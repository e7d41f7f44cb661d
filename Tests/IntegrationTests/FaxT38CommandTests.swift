import Foundation
import Testing

/// `sipdial fax send` to `sipdial fax receive` over T.38 on 127.0.0.1: the call starts on
/// G.711, the receiver moves it to T.38 with a re-INVITE (when it hears the caller's CNG in
/// `--auto`, at once with `--t38`), and the page travels in UDPTL. Both sides report success
/// over `t38`, and the page written is the page sent, pixel for pixel (`tiffcmp`). The
/// sender's capture of the T.38 stream (`--capture`) is read by an independent decoder,
/// tshark: every datagram decodes as UDPTL and T.38, none malformed, and the T.30 frames of a
/// fax are all there (DIS, DCS, CFR, MCF, DCN). T.38 does not ride the audio clock, so these
/// run beside other tests.
struct FaxT38CommandTests {
    func fax(receiver receiverArgs: [String], sender senderArgs: [String], senderPorts: String) async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let capture = dir.appendingPathComponent("t38.pcap").path
        let (receiver, port) = try await FaxCommandTests.receiver(into: dir, ["--station-id", "RX T38"] + receiverArgs)
        defer { receiver.stop() }
        let (status, out) = try await SipdialBinary.run(["fax", "send", "sip:fax@127.0.0.1:\(port)", FaxCommandTests.document, "--station-id", "TX T38",
                                                         "--local-address", "127.0.0.1", "--json", "--rtp-ports", senderPorts, "--capture", capture]
                                                         + senderArgs, timeout: .seconds(120))
        #expect(status == 0, "\(out)")
        let sent = SipdialBinary.jsonObject(in: out)["fax"] as? [String: Any] ?? [:]
        #expect(sent["success"] as? Bool == true && sent["pages_sent"] as? Int == 1 && sent["transport"] as? String == "t38", "\(out)")
        #expect(sent["remote_station_id"] as? String == "RX T38" && sent["ecm"] as? Bool == !senderArgs.contains("--no-ecm"), "\(out)")
        let report = await FaxCommandTests.report(of: receiver)
        let received = report["fax"] as? [String: Any] ?? [:]
        #expect(received["success"] as? Bool == true && received["pages_received"] as? Int == 1 && received["transport"] as? String == "t38",
                "\(report)")
        let file = try #require(report["file"] as? String, "\(report)")
        let compare = try ExternalProcess("/usr/bin/tiffcmp", ["-t", FaxCommandTests.document, file])
        #expect(await compare.wait(timeout: .seconds(20)) == 0, "the received page differs from the one sent: \(compare.text)")
        try await Self.decode(capture, ports: senderPorts)
    }

    /// tshark reads the capture as T.38 on the sender's ports.
    static func decode(_ capture: String, ports: String) async throws {
        let tshark = try ExternalProcess("/usr/bin/tshark", ["-r", capture, "-d", "udp.port==\(ports),t38"])
        #expect(await tshark.wait(timeout: .seconds(60)) == 0, "\(tshark.text.suffix(500))")
        let lines = tshark.text.split(separator: "\n").filter { $0.contains("127.0.0.1") }
        #expect(lines.count > 100 && lines.allSatisfy { $0.contains("T.38") && $0.contains("UDPTLPacket") }, "\(lines.prefix(5)) …")
        #expect(!tshark.text.localizedCaseInsensitiveContains("malformed"), "\(tshark.text.suffix(500))")
        for frame in ["DIS", "DCS", "CFR", "MCF", "DCN"] {
            #expect(tshark.text.contains("Reassembled: \(frame) "), "T.30 \(frame) decoded by tshark")
        }
    }

    @Test func theReceiverHearsTheCallerAndMovesTheFaxToT38() async throws {
        try await fax(receiver: ["--rtp-ports", "51000-51999"], sender: [], senderPorts: "52000-52999")
    }

    @Test func aReceiverThatAsksAtOnceWithoutECM() async throws {
        try await fax(receiver: ["--t38", "--rtp-ports", "53000-53999"], sender: ["--no-ecm"], senderPorts: "54000-54999")
    }

    /// The simulator scripted `fax,t38` accepts sipdial's re-INVITE to T.38 and receives the
    /// page over UDPTL: the sender reports success over `t38`, the simulator keeps the page
    /// (equal to the one sent) and T.30's result in `<Call-ID>.json`.
    @Test func theSimulatorsFaxMachineTakesT38WhenScriptedSo() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = try await SimulatorProcess.start(["--behaviour", "5002=answer,fax,t38"], recordingInto: dir)
        defer { sim.process.stop() }
        let (status, out) = try await SipdialBinary.run(["fax", "send", "sip:5002@127.0.0.1:\(sim.port)", FaxCommandTests.document, "--t38",
                                                         "--local-address", "127.0.0.1", "--rtp-ports", "55000-55999", "--json"], timeout: .seconds(120))
        #expect(status == 0, "\(out)")
        let report = SipdialBinary.jsonObject(in: out)
        #expect((report["fax"] as? [String: Any])?["transport"] as? String == "t38", "\(out)")
        let callID = try #require(report["call_id"] as? String, "\(report)")
        #expect(await sim.process.waitForOutput("ended \(callID)", timeout: .seconds(10)), "\(sim.process.text)")
        let base = dir.appendingPathComponent(callID)
        let result = ((try? JSONSerialization.jsonObject(with: Data(contentsOf: base.appendingPathExtension("json")))) as? [String: Any])?["fax"] as? [String: Any]
        #expect(result?["success"] as? Bool == true && result?["transport"] as? String == "t38", "\(String(describing: result))")
        let compare = try ExternalProcess("/usr/bin/tiffcmp", ["-t", FaxCommandTests.document, base.appendingPathExtension("tif").path])
        #expect(await compare.wait(timeout: .seconds(20)) == 0, "the simulator's page differs from the one sent: \(compare.text)")
    }
}
