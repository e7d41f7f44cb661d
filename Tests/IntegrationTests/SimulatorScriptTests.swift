import Foundation
import Media
import Testing

/// `sipdial simulate --behaviour`: each called number gets its scripted outcome, and
/// `sipdial call` reports exactly that.
@Suite(.serialized)
struct SimulatorScriptTests {
    static func call(_ number: String, at port: Int, _ args: [String] = []) async throws -> (Int32?, [String: Any], String) {
        let (status, out) = try await SipdialBinary.run(["call", "sip:\(number)@127.0.0.1:\(port)", "--local-address", "127.0.0.1", "--json"] + args,
                                                        timeout: .seconds(30))
        return (status, SipdialBinary.jsonObject(in: out), out)
    }

    @Test func eachNumberGetsItsScriptedOutcome() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = try await SimulatorProcess.start(
            ["--play", CallMediaTests.prompt,
             "--behaviour", "2001=busy,after=0.5", "--behaviour", "2002=reject=503", "--behaviour", "2003=no-answer",
             "--behaviour", "2004=answer,hangup=1", "--behaviour", "2005=answer,dtmf=42#",
             "--behaviour", "2006=answer,after=1,early-media"], recordingInto: dir)
        defer { sim.process.stop() }

        let (busy, busyJSON, busyOut) = try await Self.call("2001", at: sim.port)
        #expect(busy == 1 && busyJSON["outcome"] as? String == "busy" && busyJSON["sip_code"] as? Int == 486, "\(busyOut)")
        #expect(busyJSON["provisionals"] as? [Int] == [180], "\(busyOut)")

        let (rejected, rejectedJSON, rejectedOut) = try await Self.call("2002", at: sim.port)
        #expect(rejected == 1 && rejectedJSON["sip_code"] as? Int == 503, "\(rejectedOut)")

        let (unanswered, unansweredJSON, unansweredOut) = try await Self.call("2003", at: sim.port, ["--ring-timeout", "1.5"])
        #expect(unanswered == 1 && unansweredJSON["outcome"] as? String == "no-answer", "\(unansweredOut)")

        let (hungUp, hungUpJSON, hungUpOut) = try await Self.call("2004", at: sim.port, ["--hold", "10"])
        let talk = (hungUpJSON["times"] as? [String: Any])?["talk"] as? Double ?? 99
        #expect(hungUp == 0 && hungUpJSON["hung_up_by"] as? String == "remote" && talk < 3, "the simulator's BYE after 1 s: \(hungUpOut)")

        let (digits, digitsJSON, digitsOut) = try await Self.call("2005", at: sim.port, ["--collect-dtmf", "3", "--hold", "10"])
        #expect(digits == 0 && digitsJSON["dtmf"] as? String == "42#", "\(digitsOut)")

        let recording = dir.appendingPathComponent("early.wav").path
        let (early, earlyJSON, earlyOut) = try await Self.call("2006", at: sim.port, ["--record", recording])
        #expect(early == 0 && earlyJSON["provisionals"] as? [Int] == [183], "\(earlyOut)")
        // The greeting was heard from the 183 on: the call hung up at the answer (no --hold),
        // so all that was recorded came during the second of ringing.
        let heard = try WAVAudio.read(path: recording).samples
        #expect(heard.count > 4000 && heard.contains { abs(Int($0)) > 1000 }, "audio before the answer: \(heard.count) samples")
    }
}
