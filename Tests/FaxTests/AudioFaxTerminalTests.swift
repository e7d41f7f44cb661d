import Foundation
import Media
import Testing
import Fax

/// Two audio fax terminals back to back over G.711 (each 20 ms frame µ-law encoded and
/// decoded on its way, as an RTP stream carries it; the clock run as fast as the CPU goes):
/// the page arrives equal to what was sent, with and without ECM, and both sides report
/// success from T.30 phase E.
struct AudioFaxTerminalTests {
    /// At most `seconds` of fax time; returns both results and the received file.
    static func fax(_ document: String, ecm: Bool, law: G711.Law = .muLaw, seconds: Int = 300) -> (FaxResult?, FaxResult?, String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-fax-\(UUID().uuidString).tif").path
        var settings = FaxSettings()
        settings.ecm = ecm
        settings.stationID = "+1 555 0100"
        let sender = AudioFaxTerminal(calling: true, role: .send(document: document), settings: settings)
        settings.stationID = "+1 555 0200"
        let receiver = AudioFaxTerminal(calling: false, role: .receive(into: file), settings: settings)
        var frame = [Int16](repeating: 0, count: 160), coded = [UInt8](repeating: 0, count: 160)
        /// One 20 ms frame from `from` to `to` through G.711.
        func carry(_ from: AudioFaxTerminal, _ to: AudioFaxTerminal) {
            frame.withUnsafeMutableBufferPointer { from.transmit(into: $0) }
            frame.withUnsafeBufferPointer { samples in coded.withUnsafeMutableBufferPointer { G711.encode(samples, law: law, into: $0) } }
            coded.withUnsafeBytes { bytes in frame.withUnsafeMutableBufferPointer { G711.decode(bytes, law: law, into: $0) } }
            frame.withUnsafeMutableBufferPointer { to.receive($0) }
        }
        for _ in 0..<(seconds * 50) {
            carry(sender, receiver)
            carry(receiver, sender)
            if sender.result != nil, receiver.result != nil { break }
        }
        return (sender.result, receiver.result, file)
    }

    @Test(arguments: [true, false])
    func aPageCrossesG711WithAndWithoutECM(ecm: Bool) throws {
        let document = try T38FaxTerminalTests.document("letter-standard-1")
        let (sent, received, file) = Self.fax(document, ecm: ecm)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let s = try #require(sent, "the sender has no result"), r = try #require(received, "the receiver has no result")
        print("audio, ecm \(ecm): \(s.text), \(r.pagesReceived) page at \(r.bitRate) bit/s")
        #expect(s.success && r.success && s.pagesSent == 1 && r.pagesReceived == 1 && s.transport == "audio", "\(s) \(r)")
        #expect(r.remoteStationID == "+1 555 0100" && s.ecm == ecm, "\(r)")
        #expect(try T38FaxTerminalTests.samePages(document, file), "the received page differs from the one sent")
    }
}
