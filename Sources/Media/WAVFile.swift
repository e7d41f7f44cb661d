import Foundation

/// A WAV file sipdial cannot use, with the file and the problem named; raised before any
/// call is placed.
public struct WAVError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}

/// Audio read from a RIFF/WAVE file: 8- or 16-bit PCM, µ-law or A-law, mono or stereo
/// (mixed down), as 16-bit mono samples.
public struct WAVAudio: Sendable, Equatable {
    public var samples: [Int16]
    public var sampleRate: Int

    public init(samples: [Int16], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }

    public var duration: Double { Double(samples.count) / Double(sampleRate) }

    /// Reads and checks a file: every chunk size must fit, the format must be one of the
    /// above, and the data length must be whole frames.
    public static func read(path: String) throws(WAVError) -> WAVAudio {
        try mixedDown(readChannels(path: path))
    }

    /// The file's channels kept apart (a two-channel recording's two legs), with its rate.
    public static func readChannels(path: String) throws(WAVError) -> (channels: [[Int16]], sampleRate: Int) {
        guard let data = FileManager.default.contents(atPath: path) else { throw WAVError(path: path, problem: "cannot be read") }
        return try parseChannels(Array(data), path: path)
    }

    public static func parse(_ b: [UInt8], path: String) throws(WAVError) -> WAVAudio {
        try mixedDown(parseChannels(b, path: path))
    }

    /// Stereo as the average of its two channels.
    private static func mixedDown(_ audio: (channels: [[Int16]], sampleRate: Int)) -> WAVAudio {
        guard audio.channels.count == 2 else { return WAVAudio(samples: audio.channels[0], sampleRate: audio.sampleRate) }
        let samples = zip(audio.channels[0], audio.channels[1]).map { Int16((Int($0) + Int($1)) / 2) }
        return WAVAudio(samples: samples, sampleRate: audio.sampleRate)
    }

    private static func parseChannels(_ b: [UInt8], path: String) throws(WAVError) -> (channels: [[Int16]], sampleRate: Int) {
        func fail(_ p: String) -> WAVError { WAVError(path: path, problem: p) }
        func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        guard b.count >= 12, b[0..<4].elementsEqual("RIFF".utf8), b[8..<12].elementsEqual("WAVE".utf8) else {
            throw fail("not a RIFF/WAVE file")
        }
        var format: (tag: Int, channels: Int, rate: Int, bits: Int, blockAlign: Int)?
        var offset = 12
        while offset + 8 <= b.count {
            let id = String(decoding: b[offset..<(offset + 4)], as: UTF8.self)
            let size = u32(offset + 4)
            let body = offset + 8
            guard size <= b.count - body else { throw fail("chunk '\(id)' claims \(size) bytes but only \(b.count - body) remain (truncated file or lying header)") }
            if id == "fmt " {
                guard size >= 16 else { throw fail("fmt chunk too short") }
                var tag = u16(body)
                if tag == 0xFFFE, size >= 40 { tag = u16(body + 24) }   // WAVE_FORMAT_EXTENSIBLE: the sub-format
                format = (tag, u16(body + 2), u32(body + 4), u16(body + 14), u16(body + 12))
            } else if id == "data" {
                guard let f = format else { throw fail("data chunk before fmt chunk") }
                return try decode(Array(b[body..<(body + size)]), format: f, fail: fail)
            }
            offset = body + size + (size & 1)   // chunks are padded to even sizes
        }
        throw fail(format == nil ? "no fmt chunk" : "no data chunk")
    }

    private static func decode(_ data: [UInt8], format f: (tag: Int, channels: Int, rate: Int, bits: Int, blockAlign: Int),
                               fail: (String) -> WAVError) throws(WAVError) -> (channels: [[Int16]], sampleRate: Int) {
        guard f.channels == 1 || f.channels == 2 else { throw fail("\(f.channels) channels; only mono and stereo are supported") }
        guard (8000...48000).contains(f.rate) else { throw fail("sample rate \(f.rate) Hz is outside 8000-48000") }
        let bytesPerSample: Int
        let sample: (ArraySlice<UInt8>) -> Int
        switch (f.tag, f.bits) {
        case (1, 16): bytesPerSample = 2; sample = { Int(Int16(bitPattern: UInt16($0[$0.startIndex]) | UInt16($0[$0.startIndex + 1]) << 8)) }
        case (1, 8): bytesPerSample = 1; sample = { (Int($0[$0.startIndex]) - 128) << 8 }
        case (7, 8): bytesPerSample = 1; sample = { Int(G711.linear(fromMuLaw: $0[$0.startIndex])) }
        case (6, 8): bytesPerSample = 1; sample = { Int(G711.linear(fromALaw: $0[$0.startIndex])) }
        default: throw fail("format tag \(f.tag) with \(f.bits) bits per sample; supported: 8/16-bit PCM, µ-law, A-law")
        }
        let frame = bytesPerSample * f.channels
        guard f.blockAlign == frame else { throw fail("block align \(f.blockAlign) does not match \(f.channels) channel(s) of \(f.bits) bits") }
        guard data.count % frame == 0 else { throw fail("data length \(data.count) is not a whole number of \(frame)-byte frames") }
        guard !data.isEmpty else { throw fail("no audio in the data chunk") }
        var channels = Array(repeating: [Int16](), count: f.channels)
        for c in channels.indices { channels[c].reserveCapacity(data.count / frame) }
        var i = 0
        while i < data.count {
            for c in 0..<f.channels { channels[c].append(Int16(clamping: sample(data[(i + c * bytesPerSample)...]))) }
            i += frame
        }
        return (channels, f.rate)
    }
}

/// Writes 16-bit PCM WAV: one channel, or two (left and right) for both legs of a call.
public enum WAVWriter {
    public static func bytes(channels: [[Int16]], sampleRate: Int) -> [UInt8] {
        let frames = channels.map(\.count).max() ?? 0
        let dataSize = frames * 2 * channels.count
        var out: [UInt8] = []
        out.reserveCapacity(44 + dataSize)
        func u16(_ v: Int) { out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8 & 0xFF)) }
        func u32(_ v: Int) { u16(v & 0xFFFF); u16(v >> 16 & 0xFFFF) }
        out += Array("RIFF".utf8); u32(36 + dataSize); out += Array("WAVE".utf8)
        out += Array("fmt ".utf8); u32(16); u16(1); u16(channels.count); u32(sampleRate)
        u32(sampleRate * 2 * channels.count); u16(2 * channels.count); u16(16)
        out += Array("data".utf8); u32(dataSize)
        for i in 0..<frames {
            for c in channels { u16(Int(UInt16(bitPattern: i < c.count ? c[i] : 0))) }
        }
        return out
    }

    public static func write(path: String, channels: [[Int16]], sampleRate: Int) throws {
        try Data(bytes(channels: channels, sampleRate: sampleRate)).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
