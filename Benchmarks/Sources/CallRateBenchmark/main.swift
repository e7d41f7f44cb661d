// Signaling-only call rate: sipdial's UAC (OutboundCall over the real transport and
// transaction layers) against a SIPp UAS, side by side with SIPp's own UAC against the same
// kind of UAS, at rising rates. Each step places rate × seconds calls (INVITE/200/ACK/BYE,
// no hold) open-loop and reports the achieved calls per second and the failed calls.
//
//   cd Benchmarks && swift run -c release CallRateBenchmark [SECONDS] [RATE ...]
import BenchmarkSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import SIPCore
import SIPTransport
import SIPUserAgent

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let seconds = arguments.first ?? 5
let rates = arguments.count > 1 ? Array(arguments.dropFirst()) : [250, 500, 1000, 1500, 2000, 3000]

func startUAS() throws -> (pid_t, Int) {
    let port = freePort()
    let uas = try sipp(["-sn", "uas", "-p", String(port), "-max_socket", "50000"])
    usleep(300_000)
    return (uas, port)
}

struct StepResult {
    var calls: Int
    var answered: Int
    var failed: Int
    var elapsed: Double
    var cps: Double { Double(answered) / elapsed }
}

/// sipdial places `rate × seconds` calls open-loop and hangs each up as soon as it is answered.
func sipdialStep(rate: Int, port: Int, group: EventLoopGroup) async throws -> StepResult {
    var config = SIPTransportConfiguration()
    config.listeners = [.init(host: "127.0.0.1", port: 0, transport: .udp)]
    var logger = Logger(label: "bench")
    logger.logLevel = .critical
    let transport = SIPTransportLayer(eventLoop: group.next(), configuration: config, logger: logger)
    try await transport.start()
    let bound = try await transport.boundAddresses()[0].1
    let transactions = SIPTransactionLayer(transport: transport, logger: logger)
    let dispatcher = SIPSessionDispatcher(transactions: transactions)
    let resolver = SIPTargetResolver(dns: DNSClient(nameServer: DNSClient.systemNameServer(), eventLoop: group.next()), eventLoop: transport.eventLoop)
    let destination = SIPDestination(address: try SocketAddress(ipAddress: "127.0.0.1", port: port), transport: .udp)
    let total = rate * seconds
    let done = AsyncStream<Bool>.makeStream()
    let start = NIODeadline.now()
    let loop = transport.eventLoop
    let interval = TimeAmount.nanoseconds(1_000_000_000 / Int64(rate))
    let template = OutboundCall.Configuration(
        target: SIPURI(user: "service", host: "127.0.0.1", port: port), from: SIPAddress(uri: SIPURI(user: "bench", host: "127.0.0.1")),
        contact: SIPURI(user: "bench", host: "127.0.0.1", port: bound.port), via: Via(transport: "UDP", host: "127.0.0.1", port: bound.port, parameters: [SIPParameter("rport")]),
        destinations: [destination], transport: .udp, offer: AudioOffer(address: "127.0.0.1", port: 40000), ringTimeout: .seconds(30))
    for i in 0..<total {
        loop.scheduleTask(deadline: start + interval * Int64(i)) {
            let box = CallBox()
            let call = OutboundCall(configuration: template, dispatcher: dispatcher, resolver: resolver) { event in
                switch event {
                case .answered: box.call?.hangUp()
                case .ended(let r):
                    done.continuation.yield(r.outcome == .answered)
                    box.call = nil
                default: break
                }
            }
            box.call = call
            call.start()
        }
    }
    // Calls still open 40 s after the last INVITE count as failed.
    let deadline = loop.scheduleTask(deadline: start + interval * Int64(total) + .seconds(40)) { done.continuation.finish() }
    var answered = 0
    var ended = 0
    for await ok in done.stream {
        ended += 1
        if ok { answered += 1 }
        if ended == total { break }
    }
    deadline.cancel()
    let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1e9
    await transport.shutdown()
    return StepResult(calls: total, answered: answered, failed: total - answered, elapsed: elapsed)
}

/// Holds a call until it ends (the event closure cannot capture the call it belongs to).
final class CallBox: @unchecked Sendable {
    var call: OutboundCall?
}

/// SIPp's own UAC: `-sn uac` at `rate`, calls of no duration; failures read from its exit code
/// and its final statistics.
func sippStep(rate: Int, port: Int) throws -> StepResult {
    let total = rate * seconds
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-sipp-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let began = Date()
    let pid = try sipp(["127.0.0.1:\(port)", "-sn", "uac", "-r", String(rate), "-m", String(total), "-d", "0",
                        "-p", String(freePort()), "-trace_stat", "-stf", dir.appendingPathComponent("stat.csv").path,
                        "-fd", "1", "-max_socket", "50000", "-timeout", "\(seconds + 40)s"])
    let status = exitStatus(pid)
    let elapsed = Date().timeIntervalSince(began)
    let (ok, failed) = sippCounts(dir.appendingPathComponent("stat.csv"))
    return StepResult(calls: total, answered: ok ?? (status == 0 ? total : 0), failed: failed ?? (status == 0 ? 0 : total), elapsed: elapsed)
}

/// SuccessfulCall(C) and FailedCall(C) from the last line of SIPp's statistics file.
func sippCounts(_ file: URL) -> (Int?, Int?) {
    guard let text = try? String(contentsOf: file, encoding: .utf8) else { return (nil, nil) }
    let lines = text.split(separator: "\n")
    guard lines.count >= 2 else { return (nil, nil) }
    let header = lines[0].split(separator: ";", omittingEmptySubsequences: false).map(String.init)
    let last = lines[lines.count - 1].split(separator: ";", omittingEmptySubsequences: false).map(String.init)
    func value(_ name: String) -> Int? { header.firstIndex(of: name).flatMap { $0 < last.count ? Int(last[$0]) : nil } }
    return (value("SuccessfulCall(C)"), value("FailedCall(C)"))
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
say("Signaling-only calls (INVITE/200/ACK/BYE) against a SIPp UAS on 127.0.0.1, \(seconds) s per step")
say("rate   | sipdial cps  failed | SIPp uac cps  failed")
var bestSipdial = 0.0
var bestSIPp = 0.0
for rate in rates {
    let (uasA, portA) = try startUAS()
    let mine = try await sipdialStep(rate: rate, port: portA, group: group)
    stop(uasA)
    let (uasB, portB) = try startUAS()
    let theirs = try sippStep(rate: rate, port: portB)
    stop(uasB)
    if mine.failed == 0 { bestSipdial = max(bestSipdial, mine.cps) }
    if theirs.failed == 0 { bestSIPp = max(bestSIPp, theirs.cps) }
    say(String(format: "%6d | %11.0f %7d | %12.0f %7d", rate, mine.cps, mine.failed, theirs.cps, theirs.failed))
}
say(String(format: "highest rate with zero failed calls: sipdial %.0f cps, SIPp %.0f cps (ratio %.2f)", bestSipdial, bestSIPp, bestSIPp > 0 ? bestSipdial / bestSIPp : 0))
try await group.shutdownGracefully()
