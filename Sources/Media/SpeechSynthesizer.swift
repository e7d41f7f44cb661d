import CEspeakNG
import Foundation
import Synchronization

/// What to say and how (espeak-ng voice and prosody).
public struct SpeechRequest: Sendable, Hashable {
    public var text: String
    /// An espeak-ng voice name such as `en-us`, `de`, `es`.
    public var voice: String
    /// Words per minute, 80-450 (espeak-ng's default 175).
    public var rate: Int
    /// Base pitch 0-99 (default 50).
    public var pitch: Int
    /// Amplitude 0-200 (default 100).
    public var volume: Int

    public init(text: String, voice: String = "en-us", rate: Int = 160, pitch: Int = 50, volume: Int = 100) {
        self.text = text
        self.voice = voice
        self.rate = rate
        self.pitch = pitch
        self.volume = volume
    }

    /// The cache key: a hash of everything that changes the audio (FNV-1a 64).
    public var cacheKey: String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in "\(voice)\u{0}\(rate)\u{0}\(pitch)\u{0}\(volume)\u{0}\(text)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16)
    }
}

public struct SpeechError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "text-to-speech: \(reason)" }
}

/// Text to speech through espeak-ng's C library, converted to the rate a call wants (8 kHz
/// for G.711, 16 kHz for Opus) and cached on disk by a hash of text, voice and parameters
/// (one file per rate), so the second call with the same text renders
/// nothing. espeak-ng keeps global state, so one lock serializes all synthesis.
public final class SpeechSynthesizer: Sendable {
    public let cacheDirectory: URL
    private static let engine = Mutex<Int32?>(nil)   // espeak-ng's output rate once initialized
    private let renders = Atomic<Int>(0)

    public init(cacheDirectory: URL) {
        self.cacheDirectory = cacheDirectory
    }

    /// How many requests had to be synthesized (not served from the cache).
    public var renderCount: Int { renders.load(ordering: .relaxed) }

    /// The audio for `request` at `sampleRate`, from the cache when it is there.
    public func audio(for request: SpeechRequest, sampleRate: Int = AudioFormat.sampleRate) throws -> WAVAudio {
        let name = sampleRate == AudioFormat.sampleRate ? request.cacheKey : "\(request.cacheKey)-\(sampleRate)"
        let file = cacheDirectory.appendingPathComponent("\(name).wav")
        if let cached = try? WAVAudio.read(path: file.path), cached.sampleRate == sampleRate { return cached }
        let audio = try render(request).resampled(to: sampleRate)
        try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        // Write then rename, so a concurrent reader never sees half a file.
        let temporary = cacheDirectory.appendingPathComponent(".\(name).\(UUID().uuidString).tmp")
        try WAVWriter.write(path: temporary.path, channels: [audio.samples], sampleRate: audio.sampleRate)
        if rename(temporary.path, file.path) != 0 { try? FileManager.default.removeItem(at: temporary) }
        return audio
    }

    private func render(_ request: SpeechRequest) throws(SpeechError) -> WAVAudio {
        guard !request.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw SpeechError(reason: "empty text") }
        let result: Result<WAVAudio, SpeechError> = Self.engine.withLock { rate in
            if rate == nil {
                let r = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 500, nil, Int32(espeakINITIALIZE_DONT_EXIT))
                guard r > 0 else { return .failure(SpeechError(reason: "espeak-ng did not initialize (is espeak-ng-data installed?)")) }
                espeak_SetSynthCallback(collectSamples)
                rate = r
            }
            guard Self.selectVoice(request.voice) else { return .failure(SpeechError(reason: "unknown voice '\(request.voice)'")) }
            espeak_SetParameter(espeakRATE, Int32(min(max(request.rate, 80), 450)), 0)
            espeak_SetParameter(espeakPITCH, Int32(min(max(request.pitch, 0), 99)), 0)
            espeak_SetParameter(espeakVOLUME, Int32(min(max(request.volume, 0), 200)), 0)
            let sink = SampleSink()
            let context = Unmanaged.passRetained(sink)
            defer { context.release() }
            let status = request.text.withCString { text in
                espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, UInt32(espeakCHARS_UTF8), nil, context.toOpaque())
            }
            guard status == EE_OK else { return .failure(SpeechError(reason: "synthesis failed (\(status))")) }
            espeak_Synchronize()
            guard !sink.samples.isEmpty else { return .failure(SpeechError(reason: "no audio for the text")) }
            return .success(WAVAudio(samples: sink.samples, sampleRate: Int(rate!)))
        }
        renders.add(1, ordering: .relaxed)
        return try result.get()
    }
}

extension SpeechSynthesizer {
    /// A voice file name (`en-us`, `gmw/en`), else a language some voice speaks (`en-gb`,
    /// `de`, `pt-br`); espeak-ng would fall back to another language, so that is checked first.
    fileprivate static func selectVoice(_ voice: String) -> Bool {
        if espeak_SetVoiceByName(voice) == EE_OK { return true }
        guard languages().contains(voice.lowercased()) else { return false }
        return voice.withCString { language in
            var properties = espeak_VOICE()
            properties.languages = language
            return espeak_SetVoiceByProperties(&properties) == EE_OK
        }
    }

    /// Every language of the installed voices. A voice's `languages` is a run of entries, each
    /// a priority byte and a NUL-terminated name, ended by a zero byte.
    private static func languages() -> Set<String> {
        var found = Set<String>()
        guard var list = espeak_ListVoices(nil) else { return found }
        while let voice = list.pointee {
            if var p = voice.pointee.languages {
                while p.pointee != 0 {
                    let name = String(cString: p + 1)
                    found.insert(name.lowercased())
                    p += 2 + name.utf8.count
                }
            }
            list += 1
        }
        return found
    }
}

/// Collects what espeak-ng hands the callback; reached through the event's user_data.
private final class SampleSink {
    var samples: [Int16] = []
}

/// espeak-ng's synthesis callback (a C function: no captures). Returns 0 to continue.
private func collectSamples(_ wav: UnsafeMutablePointer<Int16>?, _ count: Int32, _ events: UnsafeMutablePointer<espeak_EVENT>?) -> Int32 {
    guard let events, let data = events.pointee.user_data else { return 0 }
    let sink = Unmanaged<SampleSink>.fromOpaque(data).takeUnretainedValue()
    if let wav, count > 0 { sink.samples.append(contentsOf: UnsafeBufferPointer(start: wav, count: Int(count))) }
    return 0
}
