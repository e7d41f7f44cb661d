import Foundation
import Testing

/// `sipdial fax send` to `sipdial fax receive --audio` over a real SIP call on 127.0.0.1, the fax in
/// the call's G.711 audio (spandsp's V.17 and T.30 in real time, about 40 s for a page):
/// both sides report success from phase E with each other's station ID, and the page the
/// receiver wrote is the page sent, pixel for pixel (`tiffcmp`). A file that is no fax
/// document is refused before any call, naming it.
struct FaxCommandTests {
    static let document = CallMediaTests.repository.appendingPathComponent("Tests/FaxTests/Documents/letter-standard-1.tif").path

    /// `sipdial fax receive` writing into `dir` on a free port, once it listens.
    static func receiver(into dir: URL, _ args: [String]) async throws -> (ExternalProcess, Int) {
        let port = Ports.free()
        let receiver = try ExternalProcess(SipdialBinary.path, ["fax", "receive", "--listen", "udp:127.0.0.1:\(port)", "--out", dir.path] + args)
        #expect(await receiver.waitForOutput("listening udp", timeout: .seconds(20)), "\(receiver.text)")
        return (receiver, port)
    }

    /// The JSON line `fax receive` prints for its call, once it has (nil fields when none came).
    static func report(of receiver: ExternalProcess) async -> [String: Any] {
        #expect(await receiver.waitForOutput("\"call_id\"", timeout: .seconds(10)), "\(receiver.text)")
        let line = receiver.text.split(separator: "\n").first { $0.contains("\"call_id\"") } ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }

    @Test func aPageSentOverG711ArrivesWhole() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (receiver, port) = try await Self.receiver(into: dir, ["--audio", "--station-id", "+1 555 0200", "--rtp-ports", "46000-46999"])
        defer { receiver.stop() }
        let (status, out) = try await SipdialBinary.run(["fax", "send", "sip:fax@127.0.0.1:\(port)", Self.document, "--station-id", "+1 555 0100",
                                                         "--local-address", "127.0.0.1", "--rtp-ports", "47000-47999", "--json"], timeout: .seconds(120))
        #expect(status == 0, "\(out)")
        let sent = SipdialBinary.jsonObject(in: out)["fax"] as? [String: Any] ?? [:]
        #expect(sent["success"] as? Bool == true && sent["pages_sent"] as? Int == 1 && sent["remote_station_id"] as? String == "+1 555 0200", "\(out)")
        #expect(sent["transport"] as? String == "audio" && sent["ecm"] as? Bool == true, "\(sent)")
        let report = await Self.report(of: receiver)
        let received = report["fax"] as? [String: Any] ?? [:]
        #expect(received["success"] as? Bool == true && received["pages_received"] as? Int == 1 && received["remote_station_id"] as? String == "+1 555 0100",
                "\(report)")
        let file = try #require(report["file"] as? String, "\(report)")
        let pdf = try #require(report["pdf"] as? String, "\(report)")
        #expect((try? Data(contentsOf: URL(fileURLWithPath: pdf)).prefix(4)) == Data("%PDF".utf8), "\(pdf)")
        // libtiff's `tiffcmp -t`: the same pages, tags aside.
        let compare = try ExternalProcess("/usr/bin/tiffcmp", ["-t", Self.document, file])
        #expect(await compare.wait(timeout: .seconds(20)) == 0, "the received page differs from the one sent: \(compare.text)")
    }

    /// A fax cut short (the sender gives up after 8 s, mid-training): both sides report a
    /// failure with T.30's code for a dropped call, never success, and the sender exits 1.
    @Test func aFaxCutShortIsAFailureOnBothSides() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (receiver, port) = try await Self.receiver(into: dir, ["--audio", "--rtp-ports", "49000-49999"])
        defer { receiver.stop() }
        let (status, out) = try await SipdialBinary.run(["fax", "send", "sip:fax@127.0.0.1:\(port)", Self.document, "--timeout", "8",
                                                         "--local-address", "127.0.0.1", "--rtp-ports", "50000-50999", "--json"], timeout: .seconds(60))
        #expect(status == 1, "\(out)")
        let sent = SipdialBinary.jsonObject(in: out)["fax"] as? [String: Any] ?? [:]
        #expect(sent["success"] as? Bool == false && (sent["text"] as? String ?? "").contains("dropped"), "\(out)")
        let received = await Self.report(of: receiver)["fax"] as? [String: Any] ?? [:]
        #expect(received["success"] as? Bool == false && (received["text"] as? String ?? "").contains("dropped"), "\(received)")
    }

    /// A PDF sent (rendered by Ghostscript) without ECM to the simulator scripted `fax`, which
    /// answers as a G.711 fax machine: asked for T.38 (`--t38`), it refuses with 488 and the
    /// fax goes on over G.711; the page it keeps as `<Call-ID>.tif` is the PDF's page, and
    /// `<Call-ID>.json` holds T.30's result.
    @Test func theSimulatorAnswersAsAFaxMachine() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = try await SimulatorProcess.start(["--behaviour", "5001=answer,fax"], recordingInto: dir)
        defer { sim.process.stop() }
        // A one-page PDF of the test letter; `fax send` renders it to TIFF-F as this does.
        let pdf = dir.appendingPathComponent("letter.pdf").path, rendered = dir.appendingPathComponent("letter.tif").path
        let source = CallMediaTests.repository.appendingPathComponent("Tests/FaxTests/Documents/letter.ps").path
        let makePDF = try ExternalProcess("/usr/bin/gs", ["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-dLastPage=1", "-sDEVICE=pdfwrite", "-sOutputFile=\(pdf)", source])
        #expect(await makePDF.wait(timeout: .seconds(30)) == 0, "\(makePDF.text)")
        let render = try ExternalProcess("/usr/bin/gs", ["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffg4", "-r204x196", "-g1728x2292",
                                                         "-sOutputFile=\(rendered)", pdf])
        #expect(await render.wait(timeout: .seconds(30)) == 0, "\(render.text)")
        let (status, out) = try await SipdialBinary.run(["fax", "send", "sip:5001@127.0.0.1:\(sim.port)", pdf, "--local-address", "127.0.0.1",
                                                         "--rtp-ports", "48000-48999", "--no-ecm", "--t38", "--json"], timeout: .seconds(120))
        #expect(status == 0, "\(out)")
        let report = SipdialBinary.jsonObject(in: out)
        #expect((report["fax"] as? [String: Any])?["ecm"] as? Bool == false, "\(out)")
        #expect((report["fax"] as? [String: Any])?["transport"] as? String == "audio", "the 488 kept G.711: \(out)")
        let callID = try #require(report["call_id"] as? String, "\(report)")
        #expect(await sim.process.waitForOutput("ended \(callID)", timeout: .seconds(10)), "\(sim.process.text)")
        let base = dir.appendingPathComponent(callID)
        let result = (try? JSONSerialization.jsonObject(with: Data(contentsOf: base.appendingPathExtension("json")))) as? [String: Any] ?? [:]
        #expect((result["fax"] as? [String: Any])?["success"] as? Bool == true && (result["fax"] as? [String: Any])?["pages_received"] as? Int == 1, "\(result)")
        let compare = try ExternalProcess("/usr/bin/tiffcmp", ["-t", rendered, base.appendingPathExtension("tif").path])
        #expect(await compare.wait(timeout: .seconds(20)) == 0, "the simulator's page differs from the PDF's: \(compare.text)")
    }

    @Test func aFileThatIsNoFaxDocumentIsRefusedBeforeAnyCall() async throws {
        let (status, out) = try await SipdialBinary.run(["fax", "send", "sip:fax@127.0.0.1:9", CallMediaTests.prompt])
        #expect(status == 2, "\(out)")
        #expect(out.contains(CallMediaTests.prompt) && out.contains("neither TIFF nor PDF"), "\(out)")
        // A file that says PDF but is none: Ghostscript's refusal, still before any call.
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let broken = dir.appendingPathComponent("broken.pdf")
        try Data("%PDF-1.4\nnot really a PDF\n".utf8).write(to: broken)
        let (brokenStatus, brokenOut) = try await SipdialBinary.run(["fax", "send", "sip:fax@127.0.0.1:9", broken.path])
        #expect(brokenStatus == 2 && brokenOut.contains(broken.path) && brokenOut.contains("Ghostscript could not render it"), "\(brokenOut)")
    }
}
