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

    /// `greeting=human` and `greeting=machine` play Audio/greeting-human.wav and
    /// Audio/greeting-machine.wav once: what each caller records is that file.
    @Test func humanAndMachineGreetingsAreHeard() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = try await SimulatorProcess.start(
            ["--play", CallMediaTests.prompt, "--behaviour", "3001=answer,greeting=human", "--behaviour", "3002=answer,greeting=machine"],
            recordingInto: dir)
        defer { sim.process.stop() }
        let audio = CallMediaTests.repository.appendingPathComponent("Audio")
        for (number, name) in [("3001", "human"), ("3002", "machine")] {
            let recording = dir.appendingPathComponent("\(name).wav").path
            let (status, json, out) = try await Self.call(number, at: sim.port, ["--record", recording, "--hold", "3"])
            #expect(status == 0 && json["outcome"] as? String == "answered", "\(out)")
            let heard = try WAVAudio.read(path: recording).samples
            let file = try WAVAudio.read(path: audio.appendingPathComponent("greeting-\(name).wav").path).samples
            let other = try WAVAudio.read(path: audio.appendingPathComponent("greeting-\(name == "human" ? "machine" : "human").wav").path).samples
            // The first half second of speech of the file, found in the recording (G.711 round trip).
            let speech = file.firstIndex { abs(Int($0)) > 500 } ?? 0
            let segment = file[speech..<(speech + 4000)]
            let match = AudioMatch.locate(segment, in: heard, near: speech, within: 3000)
            #expect(match.correlation > 0.95, "\(name): correlation \(match.correlation)")
            // Not the other greeting, nor the default prompt.
            let otherSpeech = other.firstIndex { abs(Int($0)) > 500 } ?? 0
            let wrong = AudioMatch.locate(other[otherSpeech..<(otherSpeech + 4000)], in: heard, near: otherSpeech, within: 3000)
            #expect(wrong.correlation < 0.5, "\(name) also matches the other greeting: \(wrong.correlation)")
        }
    }

    @Test func aGreetingThatCannotBeFoundStopsTheSimulatorNamingIt() async throws {
        let (status, out) = try await SipdialBinary.run(["simulate", "--listen", "udp:127.0.0.1:\(Ports.free())",
                                                         "--behaviour", "1=answer,greeting=machine", "--audio-dir", "/nonexistent"])
        #expect(status == 2 && out.contains("greeting-machine.wav") && out.contains("/nonexistent"), "\(out)")
        let (fileStatus, fileOut) = try await SipdialBinary.run(["simulate", "--listen", "udp:127.0.0.1:\(Ports.free())",
                                                                 "--mix", "1:answer,greeting=/tmp/no-such-greeting.wav"])
        #expect(fileStatus == 2 && fileOut.contains("/tmp/no-such-greeting.wav"), "\(fileOut)")
    }
}
