import RTP
import Testing

struct JitterBufferTests {
    /// Drains `n` ticks into a readable trace: the payload number (several joined by "+"
    /// when more than one is due in a tick), "?" for missing, "=" covered, "-" idle.
    static func drain(_ b: inout JitterBuffer<Int>, _ n: Int) -> String {
        (0..<n).map { _ in
            switch b.next() {
            case .frame(let p, _):
                var due = [String(p)]
                while let (more, _) = b.nextDue() { due.append(String(more)) }
                return due.joined(separator: "+")
            case .missing: return "?"
            case .covered: return "="
            case .idle: return "-"
            }
        }.joined(separator: " ")
    }

    @Test func reorderedPacketsPlayInOrderAfterTheInitialDepth() {
        var b = JitterBuffer<Int>(frameUnits: 160, minDepth: 2)
        b.insert(0, timestamp: 1000)
        #expect(Self.drain(&b, 1) == "-", "buffering")
        b.insert(2, timestamp: 1320)
        b.insert(1, timestamp: 1160)
        #expect(Self.drain(&b, 3) == "0 1 2")
    }

    @Test func aLostPacketIsConcealedAndALateOneDropped() {
        var b = JitterBuffer<Int>(frameUnits: 160, minDepth: 2)
        for (p, ts) in [(0, 0), (1, 160), (3, 480), (4, 640)] as [(Int, UInt32)] { b.insert(p, timestamp: ts) }
        #expect(Self.drain(&b, 3) == "0 1 ?")
        b.insert(2, timestamp: 320)   // arrives after its turn
        #expect(Self.drain(&b, 2) == "3 4")
        #expect(b.lateDropped == 1 && b.concealed == 1)
    }

    @Test func timestampsWrapAround() {
        var b = JitterBuffer<Int>(frameUnits: 160, minDepth: 2)
        for i in 0..<4 { b.insert(i, timestamp: UInt32.max - 319 &+ UInt32(i * 160)) }
        #expect(Self.drain(&b, 4) == "0 1 2 3")
    }

    @Test func depthFollowsJitterWithinBounds() {
        var b = JitterBuffer<Int>(frameUnits: 160, minDepth: 2, maxDepth: 8)
        b.adapt(toJitter: 0)
        #expect(b.targetDepth == 2)
        b.adapt(toJitter: 400)   // 50 ms of jitter: 3 × 50 ms covered by 8 frames
        #expect(b.targetDepth == 8)
        b.adapt(toJitter: 160)
        #expect(b.targetDepth == 4)
        b.adapt(toJitter: 100_000)
        #expect(b.targetDepth == 8)
    }

    @Test func aLongSilenceRestartsBuffering() {
        var b = JitterBuffer<Int>(frameUnits: 160, minDepth: 2)
        b.insert(0, timestamp: 0)
        b.insert(1, timestamp: 160)
        #expect(Self.drain(&b, 7) == "0 1 ? ? ? - -", "three frames (60 ms) are concealed, then it waits")
        // The next talkspurt, far later, is buffered and played from its own start.
        b.insert(7, timestamp: 160_000)
        b.insert(8, timestamp: 160_160)
        #expect(Self.drain(&b, 2) == "7 8")
    }
}

struct JitterBufferPacketLengthTests {
    /// 30 ms packets against 20 ms ticks: each plays when its time comes, and a tick inside
    /// a packet's time is covered, not missing; a lost one leaves only its uncovered time.
    @Test func packetsLongerThanAFrameCoverTheTicksAfterThem() {
        // Deep enough that the five packets queued at once are not a burst to skip.
        var b = JitterBuffer<Int>(frameUnits: 160, minDepth: 5)
        for i in 0..<6 where i != 3 { b.insert(i, timestamp: UInt32(i * 240), duration: 240) }
        // Ticks at 0, 160, 320, 480, 640, 800, 960: packet 3's time (720-960) is the two "?".
        #expect(JitterBufferTests.drain(&b, 7) == "0 1 = 2 ? ? 4", "\(b.concealed) concealed")
        #expect(b.lateDropped == 0 && b.concealed == 2)
    }

    /// A packet lost between two 30 ms packets is concealed from where the one before it ends.
    @Test func missingTimeStartsWhereThePreviousPacketEnds() {
        var b = JitterBuffer<Int>(frameUnits: 160, minDepth: 2)
        b.insert(0, timestamp: 0, duration: 240)
        b.insert(2, timestamp: 480, duration: 240)
        guard case .frame(0, 0) = b.next() else { Issue.record("expected 0"); return }
        guard case .missing(let ts, let units) = b.next() else { Issue.record("expected missing"); return }
        #expect(ts == 240 && units == 80, "160-320: 160-240 is covered by packet 0")
        guard case .missing(320, 160) = b.next() else { Issue.record("expected 320-480 missing"); return }
        guard case .frame(2, 480) = b.next() else { Issue.record("expected 2"); return }
    }

    /// Depth is time, not packets: two 10 ms packets are not the 40 ms a depth of two
    /// frames asks for.
    @Test func depthCountsTimeNotPackets() {
        var b = JitterBuffer<Int>(frameUnits: 160, minDepth: 2)
        b.insert(0, timestamp: 0, duration: 80)
        b.insert(1, timestamp: 80, duration: 80)
        #expect(JitterBufferTests.drain(&b, 1) == "-")
        b.insert(2, timestamp: 160, duration: 80)
        b.insert(3, timestamp: 240, duration: 80)
        #expect(JitterBufferTests.drain(&b, 2) == "0+1 2+3")
    }

    /// 10 ms packets: both due in a tick are played in it, none is dropped as late.
    @Test func packetsShorterThanAFrameAreAllPlayed() {
        var b = JitterBuffer<Int>(frameUnits: 160, minDepth: 2)
        for i in 0..<8 { b.insert(i, timestamp: UInt32(i * 80), duration: 80) }
        #expect(JitterBufferTests.drain(&b, 4) == "0+1 2+3 4+5 6+7")
        #expect(b.lateDropped == 0 && b.concealed == 0)
    }
}

/// Whatever a peer sends (timestamps and lengths are its to choose), the buffer keeps to its
/// capacity, hands back every payload it does not keep, and never plays one twice.
struct JitterBufferRandomInputTests {
    /// A well-mixed number from (`i`, `salt`): the same run every time, so a failure repeats.
    static func mixed(_ i: Int, _ salt: UInt64, below bound: UInt64) -> UInt64 {
        var x = UInt64(i) &* 0x2545_F491_4F6C_DD1D &+ salt &* 0x6A09_E667_F3BC_C909
        x ^= x >> 33
        x = x &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 29
        return x % bound
    }

    @Test func randomTimestampsAndLengthsKeepTheBufferSound() {
        let durations: [UInt32?] = [nil, 0, 80, 160, 240, 960, 5760]
        for round in 0..<200 {
            var b = JitterBuffer<Int>(frameUnits: 160, minDepth: 1 + round % 4, maxDepth: 4 + round % 8)
            var base = UInt32(truncatingIfNeeded: Self.mixed(round, 1, below: 1 << 32))
            var live = Set<Int>(), played = Set<Int>()
            for id in 0..<300 {
                let step = round * 1000 + id
                base &+= UInt32(Self.mixed(step, 2, below: 401))
                let jump = Self.mixed(step, 3, below: 50) == 0 ? UInt32(truncatingIfNeeded: Self.mixed(step, 4, below: 1 << 32)) : 0
                let duration = durations[Int(Self.mixed(step, 5, below: UInt64(durations.count)))]
                live.insert(id)
                if let back = b.insert(id, timestamp: base &+ jump &- UInt32(Self.mixed(step, 6, below: 801)), duration: duration) {
                    #expect(live.remove(back) != nil, "handed back once")
                }
                #expect(b.bufferedFrames <= b.capacity)
                for _ in 0..<Self.mixed(step, 7, below: 3) {
                    var due: [Int] = []
                    if case .frame(let p, _) = b.next() { due.append(p) }
                    while let (p, _) = b.nextDue() { due.append(p) }
                    for p in due {
                        #expect(played.insert(p).inserted && live.remove(p) != nil, "played once")
                    }
                }
            }
        }
    }
}

struct JitterBufferOwnershipTests {
    /// What the buffer does not keep comes back, so pooled payload storage is never lost.
    @Test func refusedAndReplacedPayloadsAreHandedBack() {
        var b = JitterBuffer<Int>(frameUnits: 160, minDepth: 1, maxDepth: 2)
        #expect(b.insert(1, timestamp: 0) == nil)
        #expect(b.insert(2, timestamp: 0) == 1, "a duplicate timestamp replaces and returns the old payload")
        #expect(b.insert(3, timestamp: 160) == nil && b.insert(4, timestamp: 320) == nil && b.insert(5, timestamp: 480) == nil)
        #expect(b.insert(6, timestamp: 640) == 6, "beyond capacity (\(b.capacity)) the newcomer is refused")
        guard case .frame(2, _) = b.next() else { Issue.record("expected payload 2"); return }
        #expect(b.insert(7, timestamp: 0) == 7, "late: its turn has passed")
        #expect(b.lateDropped == 1)
    }
}
