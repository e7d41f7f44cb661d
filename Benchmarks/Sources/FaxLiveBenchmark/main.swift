// Concurrent faxes in real time over real sockets on 127.0.0.1 (issue #23 targets: 100 over
// G.711, 500 over T.38 on this 2-core machine with no failure):
// `swift run -c release FaxLiveBenchmark t38|audio COUNT [LOSS]` starts COUNT faxes of the
// one-page test document at once, each between two terminals of its own: T.38 through two
// `T38FaxPort`s (UDPTL, redundancy), G.711 through two RTP streams of the media engine
// carrying `AudioFaxPort`s. With LOSS (a fraction, e.g. 0.01) each UDPTL port drops that
// share of what it sends, at random, before the socket (T.38 only). Prints how many
// completed on both sides, the fax time of the slowest, and the CPU the process used.
import BenchmarkSupport
import Fax
import Foundation
import Media
import NIOCore
import NIOPosix

let arguments = Array(CommandLine.arguments.dropFirst())
let transport = arguments.first ?? "t38"
let count = arguments.dropFirst().first.flatMap { Int($0) } ?? (transport == "t38" ? 500 : 100)
let loss = arguments.dropFirst(2).first.flatMap { Double($0) } ?? 0
let document = FaxBench.document
let scratch = try FaxBench.scratch("fax-live")
defer { try? FileManager.default.removeItem(at: scratch) }

/// Results as they come, from the media loops.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [(FaxResult, Double)] = []
    private let started = Date()

    func add(_ result: FaxResult) {
        lock.withLock { results.append((result, Date().timeIntervalSince(started))) }
    }

    var snapshot: [(FaxResult, Double)] { lock.withLock { results } }
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let ports = RTPPortAllocator(range: 20_000...40_000)
let tally = Tally()
var sender = FaxSettings(), receiver = FaxSettings()
(sender.stationID, receiver.stationID) = ("bench sender", "bench receiver")
let cpuStart = FaxBench.cpuSeconds()
var keep: [AnyObject] = []

for index in 0..<count {
    let file = scratch.appendingPathComponent("\(index).tif").path
    if transport == "t38" {
        let calling = try T38FaxPort(host: "127.0.0.1", ports: ports, group: group), answering = try T38FaxPort(host: "127.0.0.1", ports: ports, group: group)
        let offer = T38Negotiation.offer(host: "127.0.0.1", port: calling.localPort)
        guard let (answer, towardCaller) = T38Negotiation.answer(offer, host: "127.0.0.1", port: answering.localPort),
              let towardAnswerer = T38Negotiation.stream(answer: answer) else { fatalError("no T.38 agreement") }
        calling.dropsSent = loss
        answering.dropsSent = loss
        try answering.start(towardCaller, calling: false, role: .receive(into: file), settings: receiver) { tally.add($0) }
        try calling.start(towardAnswerer, calling: true, role: .send(document: document), settings: sender) { tally.add($0) }
        keep += [calling, answering]
    } else {
        let a = try RTPAudioStream.bind(host: "127.0.0.1", ports: ports, group: group), b = try RTPAudioStream.bind(host: "127.0.0.1", ports: ports, group: group)
        let callingPort = AudioFaxPort(AudioFaxTerminal(calling: true, role: .send(document: document), settings: sender)) { tally.add($0) }
        let answeringPort = AudioFaxPort(AudioFaxTerminal(calling: false, role: .receive(into: file), settings: receiver)) { tally.add($0) }
        try a.start(RTPStreamParameters(remoteAddress: "127.0.0.1", remotePort: b.localPort, payloadType: 0, encoding: .pcmu, timeout: 0),
                    source: callingPort, sink: callingPort)
        try b.start(RTPStreamParameters(remoteAddress: "127.0.0.1", remotePort: a.localPort, payloadType: 0, encoding: .pcmu, timeout: 0),
                    source: answeringPort, sink: answeringPort)
        keep += [a, b, callingPort, answeringPort]
    }
}

let deadline = Date().addingTimeInterval(180)
while tally.snapshot.count < 2 * count, Date() < deadline { Thread.sleep(forTimeInterval: 0.5) }
let results = tally.snapshot
let cpu = FaxBench.cpuSeconds() - cpuStart
let successes = results.filter { $0.0.success }.count
let failures = Dictionary(grouping: results.filter { !$0.0.success }, by: { $0.0.text }).mapValues(\.count)
print(String(format: "%@ x %d%@: %d of %d terminals succeeded (%d results), slowest %.1f s; CPU %.1f s (%.0f%% of one core over the run)",
             transport, count, loss > 0 ? String(format: " at %.1f%% loss", loss * 100) : "", successes, 2 * count, results.count,
             results.map(\.1).max() ?? 0, cpu, 100 * cpu / max(results.map(\.1).max() ?? 1, 1)))
if !failures.isEmpty { print("failures: \(failures)") }
exit(successes == 2 * count ? 0 : 1)
