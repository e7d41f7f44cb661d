// Concurrent calls with media: N RTP streams, each playing a WAV as G.711 (PCMA) at 20 ms
// and receiving the same packets back, on sipdial's media engine (one media clock per event
// loop, one loop per core); side by side in the same run with SIPp's UAC playing the
// audio from a capture made of the same file (pcap play, 20 ms packets) at the same N. A reflector process
// timestamps every packet and reports, per N, how far send times stray from each stream's
// 20 ms grid (p50/p99/max), the packets lost, and the sender's CPU and resident memory.
// Signaling is left out on the sipdial side (`make bench-calls` measures it); SIPp needs it
// to play audio, so its figures include a call setup per stream.
//
//   cd Benchmarks && swift run -c release MediaBenchmark [SECONDS] [N ...]
//   (also: MediaBenchmark reflect PORT — the reflector process itself)
//   Environment: MEDIA_LOOPS=K media loops (default one per core); MEDIA_RT=PRIORITY both
//   senders SCHED_RR at PRIORITY; BENCH_SIPP=0 skips the SIPp steps; BENCH_CODEC=opus runs
//   sipdial's streams as wideband Opus (16 kHz, the prompt converted to it first) instead of
//   PCMA, to measure what Opus costs (SIPp's steps stay G.711); BENCH_SRTP=SUITE (e.g.
//   AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM) runs each sipdial step twice, plain RTP then
//   SRTP under SUITE (each stream decrypting its own packets as the reflector returns them),
//   and prints SRTP's CPU against plain RTP's from the same run.
import BenchmarkSupport
import Foundation
import Media
import NIOCore
import NIOPosix
import SDP

let argv = CommandLine.arguments
if argv.count == 3, argv[1] == "reflect", let port = Int(argv[2]) { Reflector.run(port: port) }

let numbers = argv.dropFirst().compactMap { Int($0) }
let seconds = numbers.first ?? 10
/// Media event loops on the sipdial side (MEDIA_LOOPS, default one per core).
let mediaLoops = ProcessInfo.processInfo.environment["MEDIA_LOOPS"].flatMap { Int($0) } ?? System.coreCount
/// MEDIA_RT=PRIORITY: sipdial's media loops SCHED_RR at PRIORITY (`serve --media-realtime-priority`),
/// and SIPp's processes under `chrt -r PRIORITY`, so both get the same treatment.
let realtimePriority = ProcessInfo.processInfo.environment["MEDIA_RT"].flatMap { Int32($0) }
let counts = numbers.count > 1 ? Array(numbers.dropFirst()) : [250, 500, 1000, 1500, 2000]
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
let prompt = try WAVAudio.read(path: repository.appendingPathComponent("Audio/prompt-en.wav").path)
/// BENCH_CODEC=opus: sipdial's streams send and receive Opus at 16 kHz.
let opus = ProcessInfo.processInfo.environment["BENCH_CODEC"] == "opus"
let encoding: RTPAudioEncoding = opus ? .opus : .pcma
let streamPrompt = try prompt.resampled(to: encoding.sampleRate)
/// BENCH_SRTP=SUITE: each sipdial step again under SRTP with that suite.
let srtpSuite = ProcessInfo.processInfo.environment["BENCH_SRTP"].flatMap(SDESCrypto.Suite.init(rawValue:))
let capture = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-bench-prompt.pcap").path
let captureMilliseconds = try RTPCapture.write(prompt.samples, to: capture)

/// A running reflector and the file its figures will be written to.
struct RunningReflector {
    let pid: pid_t
    let port: Int
    let output: String

    static func start() throws -> RunningReflector {
        let port = freePort()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("reflector-\(port).txt").path
        // The far end shares the two cores with the sender; under MEDIA_RT it runs real-time
        // too, one step below the sender (so it never delays a send, but nothing else
        // running keeps it off the CPU).
        let scheduling = realtimePriority.map { ["/usr/bin/chrt", "-r", String(max(1, $0 - 1))] } ?? []
        let pid = try spawn(scheduling + [argv[0], "reflect", String(port)], output: output)
        for _ in 0..<100 where (try? String(contentsOfFile: output, encoding: .utf8))?.contains("ready") != true { usleep(20_000) }
        return RunningReflector(pid: pid, port: port, output: output)
    }

    /// Ends the warm-up: what was measured so far is forgotten.
    func reset() { kill(pid, SIGUSR1) }

    func finish() -> String {
        kill(pid, SIGTERM)
        _ = exitStatus(pid)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: output)
        return text.split(separator: "\n").last.map(String.init) ?? "no report"
    }
}

/// Discards received audio (after the stream decoded it, as a call's recorder would be fed).
final class DiscardingSink: AudioSink {
    let sampleRate: Int
    init(sampleRate: Int) { self.sampleRate = sampleRate }
    func write(_ samples: UnsafeBufferPointer<Int16>, at position: Int) {}
}

struct StepResult {
    var report: String
    var cpuPercent: Double
    var kibPerCall: Double
}

/// `srtp`: each stream protects what it sends and checks what comes back under one key
/// (the reflector returns a stream's own packets, so its receive key is its send key).
func sipdialStep(_ n: Int, srtp: SDESCrypto.Suite? = nil) async throws -> StepResult {
    let reflector = try RunningReflector.start()
    let (group, realtimeFailure) = await MediaLoops.make(threads: mediaLoops, realtimePriority: realtimePriority)
    if let realtimeFailure { say("warning: \(realtimeFailure)") }
    let before = residentKiB(of: getpid())
    let ports = RTPPortAllocator(range: 20_000...60_000)
    var streams: [RTPAudioStream] = []
    for _ in 0..<n {
        let stream = try RTPAudioStream.bind(host: "127.0.0.1", ports: ports, group: group)
        var parameters = RTPStreamParameters(remoteAddress: "127.0.0.1", remotePort: reflector.port, payloadType: opus ? 111 : 8, encoding: encoding, timeout: 0)
        parameters.srtp = srtp.map { suite in
            let key = (0..<(suite.keyLength + suite.saltLength)).map { _ in UInt8.random(in: 0...255) }
            return NegotiatedSRTP(suite: suite, sendKey: key, receiveKey: key)
        }
        try stream.start(parameters, source: WAVPlayer(streamPrompt, repeatCount: 0), sink: DiscardingSink(sampleRate: encoding.sampleRate))
        streams.append(stream)
    }
    try await Task.sleep(for: .seconds(3))
    reflector.reset()
    let cpu = cpuSeconds(of: getpid())
    try await Task.sleep(for: .seconds(seconds))
    let used = cpuSeconds(of: getpid()) - cpu
    let after = residentKiB(of: getpid())
    let report = reflector.finish()
    for stream in streams { _ = try? await stream.stop() }
    try await group.shutdownGracefully()
    return StepResult(report: report, cpuPercent: used / Double(seconds) * 100, kibPerCall: Double(after - before) / Double(n))
}

func sippStep(_ n: Int) throws -> StepResult {
    let reflector = try RunningReflector.start()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-media-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let rate = 250
    let warmup = n / rate + 3
    let plays = (warmup + seconds + 2) * 1000 / captureMilliseconds + 1
    try SIPpScenarios.uas(mediaPort: reflector.port).write(to: dir.appendingPathComponent("uas.xml"), atomically: true, encoding: .utf8)
    try SIPpScenarios.uac(capture: capture, milliseconds: captureMilliseconds, plays: plays).write(to: dir.appendingPathComponent("uac.xml"), atomically: true, encoding: .utf8)
    let uasPort = freePort()
    let uas = try sipp(["-sf", dir.appendingPathComponent("uas.xml").path, "-p", String(uasPort), "-max_socket", "50000"])
    usleep(300_000)
    let uac = try sipp(["127.0.0.1:\(uasPort)", "-sf", dir.appendingPathComponent("uac.xml").path, "-p", String(freePort()),
                        "-r", String(rate), "-l", String(n), "-m", String(n), "-mp", String(freePort()), "-max_socket", "50000"], realtimePriority: realtimePriority)
    sleep(UInt32(warmup))
    reflector.reset()
    let cpu = cpuSeconds(of: uac)
    let before = residentKiB(of: uac)
    sleep(UInt32(seconds))
    let used = cpuSeconds(of: uac) - cpu
    let report = reflector.finish()
    stop(uac)
    stop(uas)
    // SIPp's memory at its start is not known apart from its calls; report the whole process.
    return StepResult(report: report, cpuPercent: used / Double(seconds) * 100, kibPerCall: Double(before) / Double(n))
}

let scheduling = realtimePriority.map { "SCHED_RR priority \($0)" } ?? "normal priority"
say("Concurrent \(opus ? "Opus (16 kHz)" : "G.711") streams at 20 ms on 127.0.0.1, \(seconds) s measured per step after a warm-up (\(System.coreCount) cores, \(mediaLoops) media loops, senders at \(scheduling))")
say("deviation = each packet's arrival vs its stream's 20 ms grid; CPU in % of one core; memory in KiB per call")
for n in counts {
    let mine = try await sipdialStep(n)
    say(String(format: "N=%5d sipdial: %@ cpu=%.0f%% mem=%.1fKiB/call", n, mine.report, mine.cpuPercent, mine.kibPerCall))
    if let srtpSuite {
        let secure = try await sipdialStep(n, srtp: srtpSuite)
        say(String(format: "N=%5d sipdial SRTP %@: %@ cpu=%.0f%% mem=%.1fKiB/call cpu vs plain RTP=%.2fx", n, srtpSuite.rawValue, secure.report,
                   secure.cpuPercent, secure.kibPerCall, secure.cpuPercent / max(mine.cpuPercent, 0.01)))
    }
    guard ProcessInfo.processInfo.environment["BENCH_SIPP"] != "0" else { continue }
    let theirs = try sippStep(n)
    say(String(format: "N=%5d SIPp:    %@ cpu=%.0f%% mem=%.1fKiB/call (whole process)", n, theirs.report, theirs.cpuPercent, theirs.kibPerCall))
}
