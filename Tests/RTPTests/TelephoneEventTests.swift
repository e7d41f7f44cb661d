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
