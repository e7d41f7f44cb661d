import Foundation
import Testing
import Fax
import T38

/// Two T.38 terminals back to back through UDPTL (`FaxBackToBack`: our sender and receiver,
/// in memory, the clock run as fast as the CPU goes): the document arrives, the result comes from T.30
/// phase E on both sides, and the pages received are the pages sent (`tiffcmp`).
/// Documents/letter.ps is the source of the TIFF-F fixtures (Ghostscript, tiffg4).
struct T38FaxTerminalTests {
    static func document(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: "tif", subdirectory: "Documents")).path
    }

    /// Runs a fax from `document` over UDPTL with `scheme`, dropping datagrams `lost` says.
    static func fax(_ document: String, ecm: Bool, scheme: UDPTLSender.Scheme = .redundancy(depth: 3),
                    lost: @escaping (Int) -> Bool = { _ in false }) throws -> (sent: FaxResult?, received: FaxResult?, file: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-fax-\(UUID().uuidString).tif").path
        let (sender, receiver) = settings(ecm: ecm)
        let run = FaxBackToBack.t38(document, into: file, sender: sender, receiver: receiver, scheme: scheme, lost: lost)
        return (run.sent, run.received, file)
    }

    /// Both sides' settings: ECM as asked, each its own station ID.
    static func settings(ecm: Bool) -> (FaxSettings, FaxSettings) {
        var sender = FaxSettings(), receiver = FaxSettings()
        (sender.ecm, receiver.ecm) = (ecm, ecm)
        (sender.stationID, receiver.stationID) = ("+1 555 0100", "+1 555 0200")
        return (sender, receiver)
    }

    static func samePages(_ a: String, _ b: String) throws -> Bool {
        let compare = Process()
        compare.executableURL = URL(fileURLWithPath: "/usr/bin/tiffcmp")
        compare.arguments = ["-t", a, b]
        compare.standardOutput = FileHandle.nullDevice
        try compare.run()
        compare.waitUntilExit()
        return compare.terminationStatus == 0
    }

    @Test(arguments: [true, false])
    func aPageCrossesT38WithAndWithoutECM(ecm: Bool) throws {
        let document = try Self.document("letter-standard-1")
        let (sent, received, file) = try Self.fax(document, ecm: ecm)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let s = try #require(sent, "the sender has no result"), r = try #require(received, "the receiver has no result")
        print("ecm \(ecm): \(s.text), \(r.pagesReceived) page at \(r.bitRate) bit/s, \(r.width)×\(r.length)")
        #expect(s.success && r.success, "\(s) \(r)")
        #expect(s.pagesSent == 1 && r.pagesReceived == 1 && s.ecm == ecm && r.remoteStationID == "+1 555 0100" && s.remoteStationID == "+1 555 0200", "\(s) \(r)")
        #expect(r.bitRate == 14_400 && r.width == 1728, "\(r)")
        #expect(try Self.samePages(document, file), "the received page differs from the one sent")
    }

    @Test func threeFinePagesArriveWhole() throws {
        let document = try Self.document("letter-fine-3")
        let (sent, received, file) = try Self.fax(document, ecm: true)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let s = try #require(sent), r = try #require(received)
        #expect(s.success && r.success && s.pagesSent == 3 && r.pagesReceived == 3 && s.pagesInFile == 3, "\(s) \(r)")
        #expect(r.yResolution == 7700, "fine resolution is 196 lines per inch: \(r)")
        #expect(try Self.samePages(document, file), "a received page differs from the one sent")
    }

    /// Random loss of UDPTL datagrams in both directions (seeded): with redundancy 3, 1 %
    /// loss must leave at least 95 % of faxes complete (the target); 5 % is reported.
    /// 20,000 datagrams or frames, each lost with probability `share` (a seeded LCG, so a
    /// run is the same every time).
    static func lossPattern(_ share: Double, state: inout UInt64) -> [Bool] {
        (0..<20_000).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) < share
        }
    }

    @Test func lossWithRedundancy() throws {
        let document = try Self.document("letter-standard-1")
        var state: UInt64 = 0xFA7
        for share in [0.01, 0.05] {
            var complete = 0
            for _ in 0..<20 {
                let drops = Self.lossPattern(share, state: &state)
                let (sent, received, file) = try Self.fax(document, ecm: true) { drops[$0 % drops.count] }
                try? FileManager.default.removeItem(atPath: file)
                if sent?.success == true, received?.success == true { complete += 1 }
            }
            print("T.38 with redundancy 3 at \(Int(share * 100)) % loss: \(complete) of 20 faxes complete")
            if share == 0.01 { #expect(complete >= 19, "\(complete) of 20") }
        }
    }
}

