import SIPCore
import SIPTransaction
import Testing

struct ClientInviteTransactionTests {
    let invite = Fixtures.request(.invite)

    @Test func retransmitsWithDoublingIntervalThenTimerBTimesOut() {
        var tx = ClientInviteTransaction(request: invite, reliable: false)
        var d = ManualTimerDriver()
        d.apply(tx.handle(.start))
        d.advance(to: .seconds(40)) { tx.handle(.timerFired($0)) }
        // Timer A: T1, 2T1, 4T1 ... until Timer B (64*T1 = 32 s) fires.
        #expect(d.sendTimes == [0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5])
        #expect(d.count { $0 == .timedOut } == 1)
        #expect(tx.state == .terminated)
    }

    @Test func reliableTransportNeverRetransmits() {
        var tx = ClientInviteTransaction(request: invite, reliable: true)
        var d = ManualTimerDriver()
        d.apply(tx.handle(.start))
        d.advance(to: .seconds(31)) { tx.handle(.timerFired($0)) }
        #expect(d.sendTimes == [0])
        d.advance(to: .seconds(33)) { tx.handle(.timerFired($0)) }
        #expect(d.count { $0 == .timedOut } == 1)
    }

    @Test func provisionalStopsRetransmissionAndTimerB() {
        var tx = ClientInviteTransaction(request: invite, reliable: false)
        var d = ManualTimerDriver()
        d.apply(tx.handle(.start))
        d.advance(to: .milliseconds(600)) { tx.handle(.timerFired($0)) }
        d.apply(tx.handle(.response(Fixtures.response(180, to: invite))))
        #expect(tx.state == .proceeding)
        d.advance(to: .seconds(20)) { tx.handle(.timerFired($0)) }
        #expect(d.sendTimes == [0, 0.5])
        d.advance(to: .seconds(120)) { tx.handle(.timerFired($0)) }
        #expect(d.count { $0 == .timedOut } == 0)
        #expect(tx.state == .proceeding)
    }

    @Test func nonSuccessFinalIsAckedAndRetransmissionsReAcked() {
        var tx = ClientInviteTransaction(request: invite, reliable: false)
        var d = ManualTimerDriver()
        d.apply(tx.handle(.start))
        let busy = Fixtures.response(486, to: invite)
        d.apply(tx.handle(.response(busy)))
        #expect(tx.state == .completed)
        guard case .request(let ack) = d.sent.last else { Issue.record("no ACK"); return }
        #expect(ack.method == .ack)
        #expect(ack.headers[.to] == busy.headers[.to])
        #expect(ack.headers.listValues(.via) == [invite.headers.listValues(.via)[0]])
        #expect(ack.headers[.cseq] == "1 ACK")
        #expect(ack.uri == invite.uri)
        // A retransmitted 486 gets the ACK again and is not delivered twice.
        d.apply(tx.handle(.response(busy)))
        #expect(d.count { if case .deliverResponse = $0 { true } else { false } } == 1)
        #expect(d.sent.filter { if case .request(let r) = $0 { r.method == .ack } else { false } }.count == 2)
        d.advance(to: .seconds(33)) { tx.handle(.timerFired($0)) }
        #expect(tx.state == .terminated)
        #expect(d.count { $0 == .timedOut } == 0)
    }

    @Test func successEntersAcceptedAndPassesRetransmittedTwoHundreds() {
        var tx = ClientInviteTransaction(request: invite, reliable: false)
        var d = ManualTimerDriver()
        d.apply(tx.handle(.start))
        let ok = Fixtures.response(200, to: invite)
        d.apply(tx.handle(.response(ok)))
        #expect(tx.state == .accepted)
        d.apply(tx.handle(.response(ok)))
        // Both 2xx reach the TU, which ACKs each (RFC 6026 §8.4); the transaction sends no ACK.
        #expect(d.count { $0 == .deliverResponse(ok) } == 2)
        #expect(d.sendTimes == [0])
        d.advance(to: .seconds(31)) { tx.handle(.timerFired($0)) }
        #expect(tx.state == .accepted)
        d.advance(to: .seconds(32)) { tx.handle(.timerFired($0)) }
        #expect(tx.state == .terminated)
    }

    @Test func transportErrorTerminates() {
        var tx = ClientInviteTransaction(request: invite, reliable: false)
        _ = tx.handle(.start)
        let actions = tx.handle(.transportError)
        #expect(actions.contains(.transportFailed))
        #expect(tx.state == .terminated)
    }
}

struct ClientNonInviteTransactionTests {
    let options = Fixtures.request(.options)

    @Test func retransmissionIntervalCapsAtT2() {
        var tx = ClientNonInviteTransaction(request: options, reliable: false)
        var d = ManualTimerDriver()
        d.apply(tx.handle(.start))
        d.advance(to: .seconds(40)) { tx.handle(.timerFired($0)) }
        #expect(d.sendTimes == [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5])
        #expect(d.count { $0 == .timedOut } == 1)
    }

    @Test func proceedingRetransmitsEveryT2() {
        var tx = ClientNonInviteTransaction(request: options, reliable: false)
        var d = ManualTimerDriver()
        d.apply(tx.handle(.start))
        d.apply(tx.handle(.response(Fixtures.response(100, to: options, toTag: nil))))
        #expect(tx.state == .proceeding)
        d.advance(to: .seconds(10)) { tx.handle(.timerFired($0)) }
        // The armed E (0.5 s) fires, then every T2.
        #expect(d.sendTimes == [0, 0.5, 4.5, 8.5])
    }

    @Test func finalResponseWaitsTimerKThenTerminates() {
        var tx = ClientNonInviteTransaction(request: options, reliable: false)
        var d = ManualTimerDriver()
        d.apply(tx.handle(.start))
        let ok = Fixtures.response(200, to: options)
        d.apply(tx.handle(.response(ok)))
        #expect(tx.state == .completed)
        d.apply(tx.handle(.response(ok)))
        #expect(d.count { $0 == .deliverResponse(ok) } == 1)
        d.advance(to: .seconds(4.9)) { tx.handle(.timerFired($0)) }
        #expect(tx.state == .completed)
        d.advance(to: .seconds(5)) { tx.handle(.timerFired($0)) }
        #expect(tx.state == .terminated)
        #expect(d.sendTimes == [0])
    }

    @Test func reliableFinalTerminatesAtOnce() {
        var tx = ClientNonInviteTransaction(request: options, reliable: true)
        _ = tx.handle(.start)
        let actions = tx.handle(.response(Fixtures.response(404, to: options)))
        #expect(actions.last == .terminated)
    }

    @Test func timersFollowConfiguredT1AndT2() {
        let timers = SIPTimerConfiguration(t1: .milliseconds(100), t2: .milliseconds(400))
        var tx = ClientNonInviteTransaction(request: options, reliable: false, timers: timers)
        var d = ManualTimerDriver()
        d.apply(tx.handle(.start))
        d.advance(to: .seconds(7)) { tx.handle(.timerFired($0)) }
        #expect(Array(d.sendTimes.prefix(6)) == [0, 0.1, 0.3, 0.7, 1.1, 1.5])
        #expect(d.log.contains { $0.action == .timedOut && $0.at == .milliseconds(6400) })
    }
}
