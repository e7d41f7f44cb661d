import Synchronization

/// Hands out RTP ports from a configured range: even numbers, with RTCP on the odd port
/// above (RFC 3550 §11). It walks the range round-robin from a random start, so a port just
/// freed is not reused at once (late packets of the old call land nowhere) and two
/// processes sharing a range rarely try the same port first.
public final class RTPPortAllocator: Sendable {
    public let range: ClosedRange<Int>
    private let next: Mutex<Int>

    /// `range` must hold at least one even port with its odd neighbour.
    public init(range: ClosedRange<Int> = 10_000...20_000) {
        precondition(range.upperBound - range.lowerBound >= 1, "the RTP port range needs room for a pair")
        self.range = range
        let start = range.lowerBound + Int.random(in: 0...(range.upperBound - range.lowerBound - 1))
        next = Mutex(start & ~1 < range.lowerBound ? (start & ~1) + 2 : start & ~1)
    }

    /// The next even port to try.
    public func candidate() -> Int {
        next.withLock { port in
            if port < range.lowerBound || port + 1 > range.upperBound { port = (range.lowerBound + 1) & ~1 }
            let chosen = port
            port += 2
            return chosen
        }
    }

    /// Pairs in the range (even port and the odd one above), for bounding bind attempts.
    public var pairCount: Int {
        let firstEven = (range.lowerBound + 1) & ~1
        return max(0, (range.upperBound - 1 - firstEven) / 2 + 1)
    }
}
