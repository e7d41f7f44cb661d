import BenchmarkSupport
import Foundation

/// The far end of every measured RTP stream, run as its own process so its work is not
/// counted against the sender: one UDP socket that sends each datagram back to where it came
/// from (so the senders also receive RTP) and notes each RTP packet's arrival time by flow
/// (source address, port and SSRC), as the kernel stamped it on arrival.
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
        var size: Int32 = 16 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
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
        var buffer = [UInt8](repeating: 0, count: 2048)
        var source = sockaddr_in()
        var flows: [Flow] = []
        var flowIndex: [UInt64: Int] = [:]
        var packets = 0
        var control = [UInt8](repeating: 0, count: 128)
        buffer.withUnsafeMutableBytes { bytes in
            while stopRequested == 0 {
                if resetRequested != 0 {
                    resetRequested = 0
                    flows.removeAll(keepingCapacity: true)
                    flowIndex.removeAll(keepingCapacity: true)
                    packets = 0
                }
                let length = socklen_t(MemoryLayout<sockaddr_in>.size)
                var arrival = 0.0
                let n = withUnsafeMutablePointer(to: &source) { name in
                    control.withUnsafeMutableBytes { control in
                        var vector = iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
                        return withUnsafeMutablePointer(to: &vector) { vector in
                            var message = msghdr(msg_name: UnsafeMutableRawPointer(name), msg_namelen: length, msg_iov: vector, msg_iovlen: 1,
                                                 msg_control: control.baseAddress, msg_controllen: control.count, msg_flags: 0)
                            let n = recvmsg(fd, &message, 0)
                            arrival = Self.kernelTimestamp(control, length: message.msg_controllen) ?? 0
                            return n
                        }
                    }
                }
                guard n > 0 else { continue }
                _ = withUnsafePointer(to: &source) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes.baseAddress, n, Int32(MSG_DONTWAIT), $0, length) }
                }
                guard n >= 12, bytes[0] >> 6 == 2, !(72...76).contains(bytes[1] & 0x7f) else { continue }   // RTP, not RTCP
                let sequence = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
                let ssrc = (8..<12).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[$1]) }
                let key = UInt64(source.sin_port) << 48 ^ UInt64(source.sin_addr.s_addr) << 16 ^ UInt64(ssrc)
                let index = flowIndex[key] ?? {
                    flows.append(Flow(lastSequence: sequence))
                    flowIndex[key] = flows.count - 1
                    return flows.count - 1
                }()
                flows[index].record(sequence, at: arrival)
                packets += 1
            }
        }
        say(report(flows: flows, packets: packets))
        exit(0)
    }

    /// The SCM_TIMESTAMPNS control message's time in seconds: a cmsghdr (length, level,
    /// type: 16 bytes on 64-bit Linux) followed by a timespec.
    static func kernelTimestamp(_ control: UnsafeMutableRawBufferPointer, length: Int) -> Double? {
        var offset = 0
        while offset + 32 <= length {
            let size = control.load(fromByteOffset: offset, as: Int.self)
            let level = control.load(fromByteOffset: offset + 8, as: Int32.self)
            let type = control.load(fromByteOffset: offset + 12, as: Int32.self)
            if level == SOL_SOCKET, type == 35 {
                let seconds = control.load(fromByteOffset: offset + 16, as: Int.self)
                let nanoseconds = control.load(fromByteOffset: offset + 24, as: Int.self)
                return Double(seconds % 100_000) + Double(nanoseconds) / 1e9
            }
            guard size > 0 else { return nil }
            offset += (size + 7) & ~7
        }
        return nil
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
