import DialerStore
import Foundation
import Hummingbird
import Media

/// `/v1/recordings`: prompts a flow's `play` verb uses. Upload a WAV file (PCM, µ-law or
/// A-law, mono or stereo, 8-48 kHz; checked, mixed down and converted to the engine's 8 kHz
/// mono), list, read, download and delete them.
struct RecordingRoutes<Context: RequestContext> {
    let store: DialerStore
    /// Called when a recording is deleted, so a cached copy is dropped.
    let forget: @Sendable (String) -> Void

    struct Body: ResponseEncodable {
        var id, name: String
        var durationMs: Int
        var createdAt: Date

        init(_ r: Recording) {
            (id, name, durationMs, createdAt) = (r.id, r.name, r.durationMs, Date(timeIntervalSince1970: r.createdAt))
        }
    }

    struct List: ResponseEncodable { var recordings: [Body] }

    /// The longest upload accepted: 10 minutes of 48 kHz 16-bit stereo.
    static var maxUpload: Int { 10 * 60 * 48_000 * 4 + 1024 }

    func add(to group: RouterGroup<Context>) {
        group.post("recordings") { request, _ -> EditedResponse<Body> in
            guard let name = request.uri.queryParameters.get("name"), !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw APIError.missing("name")
            }
            let bytes: ByteBuffer
            do { bytes = try await request.body.collect(upTo: Self.maxUpload) } catch {
                throw APIError(.contentTooLarge, code: "too_large", message: "a recording may be up to 10 minutes of 48 kHz stereo", field: "body")
            }
            let audio: WAVAudio
            do {
                audio = try WAVAudio.parse(Array(buffer: bytes), path: "body").resampled(to: AudioFormat.sampleRate)
            } catch {
                throw APIError.invalid("body", "is not a usable WAV file: \(error)")
            }
            guard audio.duration >= 0.1 else { throw APIError.invalid("body", "holds less than 0.1 s of audio") }
            let id = UUID().uuidString.lowercased()
            try FileManager.default.createDirectory(at: store.recordingsDirectory, withIntermediateDirectories: true)
            let path = store.recordingsDirectory.appendingPathComponent("\(id).wav").path
            try WAVWriter.write(path: path, channels: [audio.samples], sampleRate: audio.sampleRate)
            let recording = Recording(id: id, name: name, path: path, durationMs: Int((audio.duration * 1000).rounded()),
                                      createdAt: Date().timeIntervalSince1970)
            try store.insert(recording)
            return EditedResponse(status: .created, response: Body(recording))
        }
        group.get("recordings") { _, _ -> List in
            List(recordings: try store.recordings().map(Body.init))
        }
        group.get("recordings/:id") { _, context -> Body in
            Body(try existing(context))
        }
        group.get("recordings/:id/audio") { _, context -> Response in
            let recording = try existing(context)
            guard let data = FileManager.default.contents(atPath: recording.path) else { throw APIError.notFound("audio of recording", id: recording.id) }
            return Response(status: .ok, headers: [.contentType: "audio/wav"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        group.delete("recordings/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            guard let removed = try store.deleteRecording(id: id) else { throw APIError.notFound("recording", id: id) }
            try? FileManager.default.removeItem(atPath: removed.path)
            forget(id)
            return Response(status: .noContent)
        }
    }

    private func existing(_ context: Context) throws -> Recording {
        let id = try context.parameters.require("id")
        guard let recording = try store.recording(id: id) else { throw APIError.notFound("recording", id: id) }
        return recording
    }
}
