import DialerStore
import Foundation
import Media
import Synchronization

/// The audio a flow plays, at the engine's rate: speech rendered by espeak-ng (cached on disk
/// by text, voice and parameters; the texts without placeholders, which every call of a
/// flow speaks alike, also kept in memory) and stored recordings (kept in memory once read);
/// also where a `fax` verb's stored document is.
public final class PromptLibrary: Sendable {
    let speech: SpeechSynthesizer
    let store: DialerStore
    private let recordings = Mutex<[String: WAVAudio]>([:])
    /// Speech of texts without placeholders, by `SpeechRequest.cacheKey`.
    private let fixedSpeech = Mutex<[String: WAVAudio]>([:])

    public init(store: DialerStore, speechCache: URL) {
        self.store = store
        speech = SpeechSynthesizer(cacheDirectory: speechCache)
    }

    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    /// `say`'s text with its `{field}` placeholders filled, rendered off the caller's thread
    /// (espeak-ng blocks while it renders).
    func audio(for speech: CallFlow.Speech, fields: [String: String]) async throws -> WAVAudio {
        var text = Placeholders.fill(speech.text, with: fields)
        if speech.digitByDigit { text = text.filter { !$0.isWhitespace }.map(String.init).joined(separator: ", ") }
        let request = SpeechRequest(text: text, voice: speech.voice, rate: speech.rate, pitch: speech.pitch, volume: speech.volume)
        let fixed = !speech.text.contains("{")
        if fixed, let cached = fixedSpeech.withLock({ $0[request.cacheKey] }) { return cached }
        let synthesizer = self.speech
        let audio = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try synthesizer.audio(for: request) })
            }
        }
        if fixed { fixedSpeech.withLock { $0[request.cacheKey] = audio } }
        return audio
    }

    /// A stored recording's audio.
    func audio(recording id: String) throws -> WAVAudio {
        if let cached = recordings.withLock({ $0[id] }) { return cached }
        guard let recording = try store.recording(id: id) else { throw Missing(description: "recording \(id) is gone") }
        let audio = try WAVAudio.read(path: recording.path)
        recordings.withLock { $0[id] = audio }
        return audio
    }

    /// A stored fax document's TIFF file.
    func faxDocument(_ id: String) throws -> String {
        guard let document = try store.document(id: id), FileManager.default.fileExists(atPath: document.path) else {
            throw Missing(description: "document \(id) is gone")
        }
        return document.path
    }

    /// Drops a recording from memory (it was deleted or replaced).
    public func forget(recording id: String) {
        _ = recordings.withLock { $0.removeValue(forKey: id) }
    }
}

/// `{field}` placeholders in a flow's text, filled from the contact: its phone, names,
/// e-mail and custom fields. An unknown field is left as written, so a typo is heard and
/// can be found rather than silently spoken as nothing.
public enum Placeholders {
    public static func fill(_ text: String, with fields: [String: String]) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { return out + rest[open...] }
            let name = String(rest[rest.index(after: open)..<close])
            out += fields[name] ?? String(rest[open...close])
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
