import Media
import T38

/// Two fax terminals wired to each other in memory, the clock run as fast as the CPU goes:
/// how the fax engine is tested and measured without a call. Audio goes through G.711 each
/// way, as an RTP stream carries it; T.38 goes through UDPTL (our sender and receiver), with
/// datagrams dropped as `lost` says (by their index in each direction).
public enum FaxBackToBack {
    /// What a run came to: both results (nil where phase E never came) and the fax time it
    /// took, in seconds of the terminals' clock.
    public struct Run: Sendable {
        public var sent: FaxResult?
        public var received: FaxResult?
        public var seconds: Double
    }

    /// Sends `document` from a calling terminal to an answering one writing `file`, over audio.
    /// A frame `lost` says (by its index: even going forth, odd coming back) is replaced, as
    /// the RTP stream's receiver does, by spandsp's packet-loss concealment.
    public static func audio(_ document: String, into file: String, sender: FaxSettings, receiver: FaxSettings,
                             law: G711.Law = .muLaw, maxSeconds: Int = 600, lost: @escaping (Int) -> Bool = { _ in false }) -> Run {
        let calling = AudioFaxTerminal(calling: true, role: .send(document: document), settings: sender)
        let answering = AudioFaxTerminal(calling: false, role: .receive(into: file), settings: receiver)
        var frame = [Int16](repeating: 0, count: 160), coded = [UInt8](repeating: 0, count: 160)
        let concealers = (forth: PacketLossConcealer(), back: PacketLossConcealer())
        func carry(_ from: AudioFaxTerminal, _ to: AudioFaxTerminal, _ concealer: PacketLossConcealer, index: Int) {
            frame.withUnsafeMutableBufferPointer { from.transmit(into: $0) }
            if lost(index) {
                frame.withUnsafeMutableBufferPointer { concealer.conceal($0) }
            } else {
                frame.withUnsafeBufferPointer { samples in coded.withUnsafeMutableBufferPointer { G711.encode(samples, law: law, into: $0) } }
                coded.withUnsafeBytes { bytes in frame.withUnsafeMutableBufferPointer { G711.decode(bytes, law: law, into: $0) } }
                frame.withUnsafeMutableBufferPointer { concealer.received($0) }
            }
            frame.withUnsafeMutableBufferPointer { to.receive($0) }
        }
        var ticks = 0
        while ticks < maxSeconds * 50, calling.result == nil || answering.result == nil {
            carry(calling, answering, concealers.forth, index: 2 * ticks)
            carry(answering, calling, concealers.back, index: 2 * ticks + 1)
            ticks += 1
        }
        return Run(sent: calling.result, received: answering.result, seconds: Double(ticks) / 50)
    }

    /// Sends `document` over T.38, UDPTL with `scheme` each way.
    public static func t38(_ document: String, into file: String, sender: FaxSettings, receiver: FaxSettings,
                           scheme: UDPTLSender.Scheme = .redundancy(depth: 3), maxSeconds: Int = 600,
                           lost: @escaping (Int) -> Bool = { _ in false }) -> Run {
        let forth = Direction(scheme: scheme, lost: lost), back = Direction(scheme: scheme, lost: lost)
        let calling = T38FaxTerminal(calling: true, role: .send(document: document), settings: sender) { forth.send($0) }
        let answering = T38FaxTerminal(calling: false, role: .receive(into: file), settings: receiver) { back.send($0) }
        var ticks = 0
        while ticks < maxSeconds * 50, calling.result == nil || answering.result == nil {
            calling.tick()
            answering.tick()
            forth.deliver(to: answering)
            back.deliver(to: calling)
            ticks += 1
        }
        return Run(sent: calling.result, received: answering.result, seconds: Double(ticks) / 50)
    }

    /// One way of a T.38 link: IFPs into UDPTL datagrams, some lost, the rest read back.
    private final class Direction {
        var sender: UDPTLSender
        var receiver = UDPTLReceiver()
        let lost: (Int) -> Bool
        var count = 0
        var inFlight: [[UInt8]] = []

        init(scheme: UDPTLSender.Scheme, lost: @escaping (Int) -> Bool) {
            sender = UDPTLSender(scheme: scheme, maximumDatagram: 400)
            self.lost = lost
        }

        func send(_ ifp: [UInt8]) {
            let datagram = sender.datagram(for: ifp)
            if !lost(count) { inFlight.append(datagram) }
            count += 1
        }

        func deliver(to terminal: T38FaxTerminal) {
            for datagram in inFlight {
                for (sequence, ifp) in receiver.receive(datagram) { terminal.receive(ifp: ifp, sequence: sequence) }
            }
            inFlight.removeAll()
        }
    }
}
