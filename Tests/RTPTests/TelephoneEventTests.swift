import RTP
import Testing

struct TelephoneEventTests {
    @Test func payloadRoundTripsAndMapsDigits() {
        let p = TelephoneEventPayload(event: 11, isEnd: true, volume: 10, duration: 1280)
        #expect(p.bytes == [0x0B, 0x8A, 0x05, 0x00])
        #expect(p.bytes.withUnsafeBytes { TelephoneEventPayload($0) } == p)
        #expect("0123456789*#ABCD".map { TelephoneEventPayload.event(for: $0)! } == Array(0...15))
        #expect((0...15).compactMap { TelephoneEventPayload.digit($0) } == Array("0123456789*#ABCD"))
        #expect(TelephoneEventPayload.digit(16) == nil && TelephoneEventPayload.event(for: "x") == nil)
    }

    /// The packets of SIPp's dtmf_2833_1.pcap: seven updates, then the end packet three times.
    @Test func oneDigitPerEventDespiteRepeatedEnds() {
        var r = TelephoneEventReceiver(clockRate: 8000)
        var reported: [Character] = []
        for (i, d) in [0, 320, 640, 960, 1280, 1600, 1920].enumerated() {
            if let got = r.handle(TelephoneEventPayload(event: 1, isEnd: false, duration: UInt16(d)), timestamp: 13280, arrival: Double(i) * 0.02) { reported.append(got.digit) }
        }
        for _ in 0..<3 {
            if let got = r.handle(TelephoneEventPayload(event: 1, isEnd: true, duration: 2240), timestamp: 13280, arrival: 0.14) { reported.append(got.digit) }
        }
        #expect(reported == ["1"])
        #expect(r.digits == [ReceivedDigit(digit: "1", at: 0, durationMilliseconds: 280)])
    }

    @Test func lossOfTheFirstPacketsAndRepeatedDigits() {
        var r = TelephoneEventReceiver(clockRate: 8000)
        // "5" seen only from its end packet; then "5" again as a new event (new timestamp).
        _ = r.handle(TelephoneEventPayload(event: 5, isEnd: true, duration: 800), timestamp: 1000, arrival: 1)
        _ = r.handle(TelephoneEventPayload(event: 5, isEnd: false, duration: 160), timestamp: 3000, arrival: 2)
        _ = r.handle(TelephoneEventPayload(event: 16, isEnd: false, duration: 160), timestamp: 5000, arrival: 3)
        #expect(r.digits.map(\.digit) == ["5", "5"])
        #expect(r.digits[0].durationMilliseconds == 100)
    }
}

struct TelephoneEventSenderTests {
    @Test func startUpdatesThreeEndsThenGap() {
        var s = TelephoneEventSender(samplesPerTick: 160, toneSamples: 640, gapTicks: 2)
        s.send("5x#")
        var ts: UInt32 = 1000
        var packets: [TelephoneEventSender.Packet?] = []
        for _ in 0..<18 {
            packets.append(s.next(timestamp: ts))
            ts += 160
        }
        let first = packets.prefix(6).compactMap { $0 }
        #expect(first.map(\.payload.duration) == [160, 320, 480, 640, 640, 640])
        #expect(first.map(\.payload.isEnd) == [false, false, false, true, true, true])
        #expect(first.map(\.marker) == [true, false, false, false, false, false])
        #expect(first.allSatisfy { $0.timestamp == 1000 && $0.payload.event == 5 })
        #expect(packets[6] == nil && packets[7] == nil, "the gap sends audio")
        #expect(packets[8]?.payload.event == 11 && packets[8]?.timestamp == 1000 + 8 * 160 && packets[8]?.marker == true)
        #expect(packets[14] == nil && packets[15] == nil && s.isIdle)
    }

    /// What the sender produces, the receiver reads back as the same digits.
    @Test func senderAndReceiverAgree() {
        var s = TelephoneEventSender()
        var r = TelephoneEventReceiver(clockRate: 8000)
        s.send("0123456789*#ABCD")
        var ts: UInt32 = 0
        while !s.isIdle {
            if let p = s.next(timestamp: ts) { _ = r.handle(p.payload, timestamp: p.timestamp, arrival: Double(ts) / 8000) }
            ts &+= 160
        }
        #expect(String(r.digits.map(\.digit)) == "0123456789*#ABCD")
        #expect(r.digits.allSatisfy { $0.durationMilliseconds == 100 })
    }

    /// A codec change mid-call: the sender counts in the new clock, keeps the digits not yet
    /// started, and cuts the one in progress short (the pause follows, then the next digit).
    @Test func retimingKeepsQueuedDigitsAndCutsTheOneInProgress() {
        var sender = TelephoneEventSender()
        sender.send("12")
        var timestamp: UInt32 = 0
        let first = sender.next(timestamp: timestamp)
        #expect(first?.payload.event == 1 && first?.marker == true)
        sender.retime(samplesPerTick: 960, toneSamples: 4800)
        var packets: [TelephoneEventSender.Packet] = []
        for _ in 0..<40 {
            timestamp &+= 960
            if let p = sender.next(timestamp: timestamp) { packets.append(p) }
        }
        #expect(packets.allSatisfy { $0.payload.event == 2 }, "1 is not continued after the change")
        #expect(packets.first?.marker == true && packets.first?.payload.duration == 960)
        #expect(packets.filter(\.payload.isEnd).count == 3 && packets.last?.payload.duration == 4800, "\(packets)")
        #expect(sender.isIdle)
    }

    /// After a codec change the receiver reads durations in the new clock and keeps the
    /// digits it had.
    @Test func receiverChangesClockAndKeepsDigits() {
        var receiver = TelephoneEventReceiver(clockRate: 8000)
        _ = receiver.handle(TelephoneEventPayload(event: 5, isEnd: true, duration: 800), timestamp: 100, arrival: 0)
        receiver.clockRate = 48000
        _ = receiver.handle(TelephoneEventPayload(event: 7, isEnd: true, duration: 4800), timestamp: 90_000, arrival: 1)
        #expect(receiver.digits.map(\.digit) == ["5", "7"] && receiver.digits.map(\.durationMilliseconds) == [100, 100])
    }
}
