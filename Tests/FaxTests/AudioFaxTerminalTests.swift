import Foundation
import Media
import Testing
import Fax

/// Two audio fax terminals back to back over G.711 (`FaxBackToBack`: each 20 ms frame µ-law
/// encoded and decoded on its way, as an RTP stream carries it; the clock run as fast as the
/// CPU goes):
/// the page arrives equal to what was sent, with and without ECM, and both sides report
/// success from T.30 phase E.
struct AudioFaxTerminalTests {
    @Test(arguments: [true, false])
    func aPageCrossesG711WithAndWithoutECM(ecm: Bool) throws {
        let document = try T38FaxTerminalTests.document("letter-standard-1")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-fax-\(UUID().uuidString).tif").path
        let (sender, receiver) = T38FaxTerminalTests.settings(ecm: ecm)
        let run = FaxBackToBack.audio(document, into: file, sender: sender, receiver: receiver)
        let (sent, received) = (run.sent, run.received)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let s = try #require(sent, "the sender has no result"), r = try #require(received, "the receiver has no result")
        print("audio, ecm \(ecm): \(s.text), \(r.pagesReceived) page at \(r.bitRate) bit/s in \(run.seconds) s of fax time")
        #expect(s.success && r.success && s.pagesSent == 1 && r.pagesReceived == 1 && s.transport == "audio", "\(s) \(r)")
        #expect(r.remoteStationID == "+1 555 0100" && s.ecm == ecm, "\(r)")
        #expect(try T38FaxTerminalTests.samePages(document, file), "the received page differs from the one sent")
    }
}
