import Foundation
import Media
import Testing

/// Answering-machine detection against another implementation (issue #22): baresip answers
/// at once and plays a greeting through its aufile source, once a person's ("Hello?",
/// Audio/greeting-human.wav) and once a machine's (Audio/greeting-machine.wav: 14 s of
/// greeting, then a 1 kHz beep from 14.26 to 14.86 s). `sipdial serve` calls each with an
/// `amd` flow: the person gets `on_human`'s prompt, the machine a voicemail message after
/// `wait_for_beep`. What baresip decoded (its sndfile dump) shows the message starting after
/// the beep ended and nothing from sipdial before it.
@Suite(.serialized)
struct BaresipAMDTests {
    /// A greeting of Audio/ as baresip's aufile source wants it on a G.711 call: 8 kHz mono.
    static func greeting(_ name: String, in dir: URL) throws -> String {
        let audio = try WAVAudio.read(path: CallMediaTests.repository.appendingPathComponent("Audio/greeting-\(name).wav").path).resampled(to: 8000)
        let path = dir.appendingPathComponent("greeting-\(name)-8k.wav").path
        try WAVWriter.write(path: path, channels: [audio.samples], sampleRate: 8000)
        return path
    }

    @Test func aPersonAndAMachineOnBaresipAreToldApartAndTheMessageFollowsTheBeep() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let personDir = dir.appendingPathComponent("person"), machineDir = dir.appendingPathComponent("machine")
        for d in [personDir, machineDir] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        let person = try await Baresip.start(playing: try Self.greeting("human", in: dir), codecs: ["g711.so"], user: "+15550100501", in: personDir)
        defer { person.process.stop() }
        let machine = try await Baresip.start(playing: try Self.greeting("machine", in: dir), codecs: ["g711.so"], user: "+15550100501", in: machineDir)
        defer { machine.process.stop() }

        let scratch = ServeCampaignTests.Scratch()
        let token = try await ServeProcess.token(data: scratch.data)
        let serve = try await ServeProcess.start(data: scratch.data, token: token, ["--no-simulator"])
        defer { serve.process.stop() }
        var ids: [String] = []
        for far in [person, machine] {
            let trunk = try await serve.create("trunks", ["name": "baresip \(far.port)", "host": "127.0.0.1", "port": far.port])
            ids.append(try await serve.create("calls", ["phone": "+15550100501", "trunk_id": trunk, "flow": ServeAMDTests.flow]))
        }
        let personEnded = try await ServeCallTests.waitForCall(serve, ids[0], status: "ended", timeout: .seconds(40))
        let personAMD = try #require((personEnded["cdr"] as? [String: Any])?["amd"] as? [String: Any], "\(personEnded)")
        #expect(personAMD["verdict"] as? String == "human", "\(personAMD)")
        let machineEnded = try await ServeCallTests.waitForCall(serve, ids[1], status: "ended", timeout: .seconds(60))
        let machineAMD = try #require((machineEnded["cdr"] as? [String: Any])?["amd"] as? [String: Any], "\(machineEnded)")
        #expect(machineAMD["verdict"] as? String == "machine", "\(machineAMD)")
        let beepEnd = try #require((machineAMD["beep"] as? [String: Any])?["end_ms"] as? Int, "\(machineAMD)")
        #expect(abs(beepEnd - 14_860) <= 150, "\(machineAMD)")

        // What each baresip decoded: the person heard the on_human prompt; the machine heard
        // nothing before its beep ended and the message within 400 ms after it.
        _ = await person.received()
        let heardByPerson = try #require(try person.decoded(), "the person's sndfile dump").resampled(to: 8000).samples
        #expect(ServeAMDTests.firstSoundMs(in: heardByPerson) != nil, "the person heard nothing")
        _ = await machine.received()
        let heardByMachine = try #require(try machine.decoded(), "the machine's sndfile dump").resampled(to: 8000).samples
        let message = try #require(ServeAMDTests.firstSoundMs(in: heardByMachine), "the machine recorded no message")
        #expect(message >= 14_860 && message <= 14_860 + 400, "message at \(message) ms of baresip's recording")
    }
}
