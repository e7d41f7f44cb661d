import Testing
@testable import T38

/// A sender and a receiver of UDPTL with datagrams lost, repeated and reordered between
/// them: what recovery brings back, in order and once, and the far end's datagram limit.
struct UDPTLRecoveryTests {
    /// IFP `i`: `length` octets derived from `i`, so each is different and checkable.
    static func ifp(_ i: Int, length: Int = 12) -> [UInt8] { (0..<length).map { UInt8((i * 31 + $0 * 7) & 0xFF) } }

    /// Sends `count` IFPs through `scheme`, dropping the datagrams `lost` says, and returns
    /// what the receiver passed on, with its statistics.
    static func run(_ scheme: UDPTLSender.Scheme, count: Int, length: Int = 12, lost: (Int) -> Bool)
        -> (received: [(sequence: UInt16, ifp: [UInt8])], statistics: UDPTLReceiver.Statistics) {
        var sender = UDPTLSender(scheme: scheme, maximumDatagram: 400)
        var receiver = UDPTLReceiver()
        var received: [(sequence: UInt16, ifp: [UInt8])] = []
        for i in 0..<count {
            let datagram = sender.datagram(for: ifp(i, length: length))
            if !lost(i) { received += receiver.receive(datagram) }
        }
        return (received, receiver.statistics)
    }

    @Test func redundancyBringsBackEveryOtherDatagramLost() {
        let (received, statistics) = Self.run(.redundancy(depth: 2), count: 40) { $0 % 2 == 1 && $0 < 39 }
        #expect(received.map(\.sequence) == (0..<40).map(UInt16.init), "every packet, in order")
        #expect(received.allSatisfy { $0.ifp == Self.ifp(Int($0.sequence)) })
        #expect(statistics.recovered == 19 && statistics.lost == 0)
    }

    @Test func withoutRecoveryALostPacketIsSkipped() {
        let (received, statistics) = Self.run(.none, count: 10) { $0 == 4 }
        #expect(received.map(\.sequence) == [0, 1, 2, 3, 5, 6, 7, 8, 9] && statistics.lost == 1)
    }

    @Test func parityFECRebuildsOneLostPacketPerSum() {
        // Span 3, 2 entries: a datagram's sums cover the 6 packets before it, interleaved, so
        // two neighbours lost together are in different sums and both come back.
        let lost: Set<Int> = [10, 11, 25, 40]
        let (received, statistics) = Self.run(.fec(span: 3, entries: 2), count: 60) { lost.contains($0) }
        #expect(received.map(\.sequence) == (0..<60).map(UInt16.init), "\(received.map(\.sequence))")
        #expect(received.allSatisfy { $0.ifp == Self.ifp(Int($0.sequence)) })
        #expect(statistics.recovered == 4 && statistics.lost == 0)
    }

    @Test func duplicatesAndLatePacketsArePassedOnOnce() {
        var sender = UDPTLSender(scheme: .redundancy(depth: 1), maximumDatagram: 400)
        let datagrams = (0..<5).map { sender.datagram(for: Self.ifp($0)) }
        var receiver = UDPTLReceiver()
        var sequences: [UInt16] = []
        for index in [0, 2, 1, 2, 3, 4, 4] { sequences += receiver.receive(datagrams[index]).map(\.sequence) }
        // 1 came back from 2's redundancy; the late 1 and the repeated 2 and 4 are dropped.
        #expect(sequences == [0, 1, 2, 3, 4] && receiver.statistics.late == 3)
    }

    @Test func theNumberingWrapsAndARestartIsFollowed() {
        var receiver = UDPTLReceiver()
        var sequences: [UInt16] = []
        for sequence in [UInt16(65534), 65535, 0, 1, 500, 3, 4] {
            sequences += receiver.receive(UDPTLPacket(sequence: sequence, primary: [1]).bytes).map(\.sequence)
        }
        // 500 after 1: packets 2-499 are lost; 3 after 500 is a restart of the far end.
        #expect(sequences == [65534, 65535, 0, 1, 500, 3, 4], "\(sequences)")
        #expect(receiver.statistics.lost == 498 && receiver.statistics.late == 0)
    }

    @Test func garbageIsCountedAndDropped() {
        var receiver = UDPTLReceiver()
        #expect(receiver.receive([0xFF]).isEmpty && receiver.receive([0, 1, 0x7F]).isEmpty)
        #expect(receiver.statistics.malformed == 2 && receiver.statistics.datagrams == 2)
    }

    @Test func redundancyIsTrimmedToTheFarEndsDatagramLimit() throws {
        var sender = UDPTLSender(scheme: .redundancy(depth: 4), maximumDatagram: 60)
        var last: [UInt8] = []
        for i in 0..<6 { last = sender.datagram(for: Self.ifp(i, length: 20)) }
        let packet = try UDPTLPacket(parsing: last)
        guard case .redundancy(let secondaries) = packet.recovery else { Issue.record("\(packet)"); return }
        // 2 + 21 + 2 for the header and primary leaves 35 octets: one copy of 21 fits.
        #expect(last.count <= 60 && secondaries == [Self.ifp(4, length: 20)], "\(last.count) octets")
        // A primary alone over the limit still goes.
        #expect(sender.datagram(for: Self.ifp(9, length: 80)).count > 60)
    }

    @Test func lossOfOnePercentAndFivePercentWithRedundancyOfThree() {
        var state: UInt64 = 0x5EED
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        for share in [0.01, 0.05] {
            let drops = (0..<5000).map { _ in uniform() < share }
            let (received, _) = Self.run(.redundancy(depth: 3), count: 5000) { drops[$0] }
            let delivered = Double(received.count) / 5000
            // Losing a packet needs it and its three successors lost: share⁴ of them.
            #expect(delivered >= 0.999, "\(share): \(delivered)")
        }
    }
}
