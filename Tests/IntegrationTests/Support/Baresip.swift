import Foundation
import Media
import Testing

/// baresip (Debian's baresip-core) as a headless far end on 127.0.0.1: it answers every call
/// at once, sends a WAV file through its aufile source, prints its RTP figures when the call
/// ends (`rtp_stats`), and its sndfile module keeps what it decoded as a WAV in `dumps`.
/// Its aufile source wants the codec's rate (48 kHz stereo for Opus, 8 kHz mono for G.711).
struct Baresip {
    let process: ExternalProcess
    let port: Int
    /// With `tls`, baresip takes SIP over TLS on the port above `port`.
    var tlsPort: Int { port + 1 }
    /// Where sndfile writes `dump-<call>-dec.wav` (what baresip decoded) and `-enc.wav`.
    let dumps: URL

    /// `user`: the Request-URI user part its account answers (anything else gets 404).
    /// `mediaenc`: the account's media encryption (`srtp-mand`: SRTP with SDES, required).
    /// `tls`: its certificate (with its key, PEM) and the CA it trusts, for SIP over TLS.
    /// `dialing`: a URI it calls once started (its `/dial` command).
    static func start(playing file: String, codecs: [String] = ["g711.so", "opus.so"], user: String = "far", mediaenc: String? = nil,
                      tls: (certificate: String, ca: String)? = nil, dialing: String? = nil, in dir: URL) async throws -> Baresip {
        let port = Ports.free(consecutive: 2)
        let config = dir.appendingPathComponent("baresip")
        let dumps = dir.appendingPathComponent("baresip-dumps")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dumps, withIntermediateDirectories: true)
        try """
        poll_method epoll
        sip_listen 127.0.0.1:\(port)
        audio_source aufile,\(file)
        audio_player aufile,/dev/null
        audio_alert aufile,/dev/null
        rtp_stats yes
        rtp_ports 30000-39998
        snd_path \(dumps.path)
        module_path /usr/lib/baresip/modules
        \(tls.map { "sip_certificate \($0.certificate)\nsip_cafile \($0.ca)" } ?? "")
        \(codecs.map { "module \($0)" }.joined(separator: "\n"))
        \(mediaenc == nil ? "" : "module srtp.so")
        module aufile.so
        module sndfile.so
        module_tmp account.so
        module_app menu.so

        """.write(to: config.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        try "<sip:\(user)@127.0.0.1:\(port)>;regint=0;answermode=auto\(mediaenc.map { ";mediaenc=\($0)" } ?? "")\n"
            .write(to: config.appendingPathComponent("accounts"), atomically: true, encoding: .utf8)
        // Line-buffered, so the figures printed at the end of a call arrive whole.
        let process = try ExternalProcess("/usr/bin/stdbuf", ["-oL", "/usr/bin/baresip", "-f", config.path] + (dialing.map { ["-e", "/dial \($0)"] } ?? []))
        #expect(await process.waitForOutput("baresip is ready", timeout: .seconds(20)), "\(process.text)")
        return Baresip(process: process, port: port, dumps: dumps)
    }

    /// What baresip decoded from the call (sndfile's `-dec.wav`), once the call has ended.
    func decoded() throws -> WAVAudio? {
        let names = try FileManager.default.contentsOfDirectory(atPath: dumps.path)
        return try names.first { $0.hasSuffix("-dec.wav") }.map { try WAVAudio.read(path: dumps.appendingPathComponent($0).path) }
    }

    /// The packets baresip received and its receive errors, from the figures it prints at the
    /// end of a call ("packets: <sent> <received>", "errors: <sent> <received>").
    func received() async -> (packets: Int, errors: Int)? {
        guard await process.waitForOutput("errors:", timeout: .seconds(10)) else { return nil }
        let lines = process.text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
        func column(_ label: String) -> Int? {
            let line = lines.first { $0.hasPrefix(label) }
            return line.flatMap { $0.split(separator: " ").compactMap { Int($0) }.dropFirst().first }
        }
        guard let packets = column("packets:"), let errors = column("errors:") else { return nil }
        return (packets, errors)
    }
}
