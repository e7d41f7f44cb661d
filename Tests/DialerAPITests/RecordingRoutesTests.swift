import DialerStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Media
import Testing

/// Prompts uploaded as WAV: checked, converted to 8 kHz mono, listed, downloaded, usable by
/// a flow's `play`, deleted.
struct RecordingRoutesTests {
    /// POSTs `body` as a file upload to `path` (recordings by default) with `?name=`.
    static func upload(_ base: URL, _ token: String, to path: String = "v1/recordings", name: String?, body: [UInt8],
                       type: String = "audio/wav") async throws -> (Int, [String: Any]) {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        if let name { components.queryItems = [URLQueryItem(name: "name", value: name)] }
        var request = URLRequest(url: components.url!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue(type, forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }

    @Test func aWAVIsConvertedStoredAndPlayableByAFlow() async throws {
        try await RESTTests.withServer { base, token, store in
            // Two seconds of a 440 Hz tone, 16 kHz stereo.
            let tone = (0..<32_000).map { Int16(8_000 * sin(2 * Double.pi * 440 * Double($0) / 16_000)) }
            let (created, recording) = try await Self.upload(base, token, name: "welcome", body: WAVWriter.bytes(channels: [tone, tone], sampleRate: 16_000))
            #expect(created == 201, "\(recording)")
            #expect(recording["duration_ms"] as? Int == 2_000 && recording["name"] as? String == "welcome")
            let id = try #require(recording["id"] as? String)
            let stored = try WAVAudio.read(path: try #require(try store.recording(id: id)).path)
            #expect(stored.sampleRate == 8_000 && stored.samples.count == 16_000)

            var download = URLRequest(url: base.appendingPathComponent("v1/recordings/\(id)/audio"))
            download.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let (wav, _) = try await URLSession.shared.data(for: download)
            #expect(try WAVAudio.parse(Array(wav), path: "download").samples.count == 16_000)
            let (_, list) = try await RESTTests.send("GET", base.appendingPathComponent("v1/recordings"), token: token)
            #expect((list["recordings"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])

            let flow = #"{"name": "c", "calls_per_minute": 1, "max_concurrent": 1, "flow": [{"verb": "play", "recording": "\#(id)"}]}"#
            #expect(try await RESTTests.send("POST", base.appendingPathComponent("v1/campaigns"), token: token, json: flow).0 == 201)
            #expect(try await RESTTests.send("DELETE", base.appendingPathComponent("v1/recordings/\(id)"), token: token).0 == 204)
            let (refused, problem) = try await RESTTests.send("POST", base.appendingPathComponent("v1/campaigns"), token: token, json: flow)
            #expect(refused == 400 && RESTTests.error(problem).field == "flow[0].recording", "a deleted recording cannot be played")
            #expect(try await RESTTests.send("GET", base.appendingPathComponent("v1/recordings/\(id)"), token: token).0 == 404)
        }
    }

    @Test func badUploadsAre400NamingTheField() async throws {
        try await RESTTests.withServer { base, token, _ in
            let good = WAVWriter.bytes(channels: [[Int16](repeating: 0, count: 8_000)], sampleRate: 8_000)
            let (noName, a) = try await Self.upload(base, token, name: nil, body: good)
            #expect(noName == 400 && RESTTests.error(a).field == "name")
            let (notWAV, b) = try await Self.upload(base, token, name: "x", body: Array("hello".utf8))
            #expect(notWAV == 400 && RESTTests.error(b).field == "body")
            let (truncated, c) = try await Self.upload(base, token, name: "x", body: Array(good.prefix(40)))
            #expect(truncated == 400 && RESTTests.error(c).field == "body")
            let (tooShort, d) = try await Self.upload(base, token, name: "x", body: WAVWriter.bytes(channels: [[0, 0]], sampleRate: 8_000))
            #expect(tooShort == 400 && RESTTests.error(d).field == "body")
        }
    }
}
