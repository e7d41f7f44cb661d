import BenchmarkSupport
import CReflector
import Foundation

/// The far end of every measured RTP stream, run as its own process so its work is not
/// counted against the sender: one UDP socket that sends each datagram back to where it came
/// from (so the senders also receive RTP) and notes each RTP packet's arrival time by flow
/// (source address, port and SSRC), as the kernel stamped it on arrival. Datagrams are read
/// and sent back in batches (`reflect_batch`), so the reflector takes as little as it can of
/// the two cores it shares with the sender being measured.
///
/// SIGUSR1 forgets what was measured so far (the end of the warm-up); SIGTERM writes the
/// figures as one line to standard output and exits.
enum Reflector {
    nonisolated(unsafe) static var resetRequested: sig_atomic_t = 0
    nonisolated(unsafe) static var stopRequested: sig_atomic_t = 0

    /// One flow's packets since its sequence numbers last restarted (a replayed capture
    /// starts over; each replay is measured on its own grid).
    struct Flow {
        var sequences: [Int] = []
        var arrivals: [Double] = []
        var lastSequence: UInt16 = 0
        var extended = 0
        var finished: [Flow] = []

        mutating func record(_ sequence: UInt16, at time: Double) {
            let step = Int(Int16(bitPattern: sequence &- lastSequence))
            if step < -100 || step > 1000 {
                finished.append(Flow(sequences: sequences, arrivals: arrivals))
                sequences = []
                arrivals = []
            } else {
                extended += step
            }
            lastSequence = sequence
            sequences.append(extended)
            arrivals.append(time)
        }
    }

    static func run(port: Int) -> Never {
        signal(SIGUSR1) { _ in Reflector.resetRequested = 1 }
        signal(SIGTERM) { _ in Reflector.stopRequested = 1 }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        // 32 MiB each way (beyond net.core.rmem_max when run as root, which the benchmark is
        // not required to be: then the limit applies): at 2,000 streams that is about half a
        // second of packets, so a reflector kept off the CPU for a moment does not drop them.
        var size: Int32 = 32 << 20
        for (force, plain) in [(SO_RCVBUFFORCE, SO_RCVBUF), (SO_SNDBUFFORCE, SO_SNDBUF)] where setsockopt(fd, SOL_SOCKET, force, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            setsockopt(fd, SOL_SOCKET, plain, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        guard withUnsafePointer(to: &addr, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }) == 0 else {
            perror("reflector bind")
            exit(1)
        }
        say("ready")

        // Arrival times come from the kernel (SO_TIMESTAMPNS), so the reflector's own delays
        // in reading do not count against the sender.
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, 35 /* SO_TIMESTAMPNS */, &on, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var batch = [reflected_datagram](repeating: reflected_datagram(), count: 256)
        var flows: [Flow] = []
        var flowIndex: [UInt64: Int] = [:]
        var packets = 0
        while stopRequested == 0 {
            if resetRequested != 0 {
                resetRequested = 0
                flows.removeAll(keepingCapacity: true)
                flowIndex.removeAll(keepingCapacity: true)
                packets = 0
            }
            let count = Int(reflect_batch(fd, &batch, Int32(batch.count)))
            if count < batch.count { usleep(1000) }
            for datagram in batch.prefix(max(count, 0)) {
                let (isRTP, sequence, ssrc) = withUnsafeBytes(of: datagram.head) { b in
                    (b[0] >> 6 == 2 && !(72...76).contains(b[1] & 0x7f),   // RTP, not RTCP
                     UInt16(b[2]) << 8 | UInt16(b[3]), (8..<12).reduce(UInt32(0)) { $0 << 8 | UInt32(b[$1]) })
                }
                guard datagram.length >= 12, isRTP else { continue }
                let key = UInt64(datagram.source_port) << 48 ^ UInt64(datagram.source_address) << 16 ^ UInt64(ssrc)
                let index = flowIndex[key] ?? {
                    flows.append(Flow(lastSequence: sequence))
                    flowIndex[key] = flows.count - 1
                    return flows.count - 1
                }()
                // Seconds within a 100,000 s window keep a Double's precision at nanoseconds.
                let arrival = Double(datagram.arrival_nanoseconds % 100_000_000_000_000) / 1e9
                flows[index].record(sequence, at: arrival)
                packets += 1
            }
        }
        say(report(flows: flows, packets: packets))
        exit(0)
    }

    /// `flows=F packets=P lost=L p50_ms=… p99_ms=… max_ms=…`: each packet's deviation from its
    /// flow's 20 ms grid (the grid placed at the flow's median offset), over all flows.
    static func report(flows: [Flow], packets: Int) -> String {
        var deviations: [Double] = []
        deviations.reserveCapacity(packets)
        var lost = 0
        for flow in flows.flatMap({ [$0] + $0.finished }) where flow.sequences.count > 1 {
            let offsets = zip(flow.sequences, flow.arrivals).map { $1 - Double($0) * 0.020 }
            let median = offsets.sorted()[offsets.count / 2]
            deviations += offsets.map { abs($0 - median) * 1000 }
            let expected = (flow.sequences.max() ?? 0) - (flow.sequences.min() ?? 0) + 1
            lost += max(0, expected - Set(flow.sequences).count)
        }
        deviations.sort()
        func percentile(_ p: Double) -> Double { deviations.isEmpty ? 0 : deviations[min(deviations.count - 1, Int(Double(deviations.count) * p))] }
        return String(format: "flows=%d packets=%d lost=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f",
                      flows.count, packets, lost, percentile(0.5), percentile(0.99), deviations.last ?? 0)
    }
}
