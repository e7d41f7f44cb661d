import SIPCore
import SIPTransaction
import Testing

struct ServerInviteTransactionTests {
    let invite = Fixtures.request(.invite)

    @Test func answersTryingAndRepeatsItForRetransmittedInvite() {
        var tx = ServerInviteTransaction(request: invite, reliable: false)
        var d = ManualTimerDriver()
        d.apply(tx.start())
        d.apply(tx.handle(.request(invite)))
        let codes = d.sent.compactMap { if case .response(let r) = $0 { r.statusCode } else { nil } }
        #expect(codes == [100, 100])
    }

    @Test func nonSuccessFinalRetransmitsUntilAckThenTimerI() {
        var tx = ServerInviteTransaction(request: invite, reliable: false)
        var d = ManualTimerDriver()
        d.apply(tx.start())
        d.apply(tx.handle(.respond(Fixtures.response(486, to: invite))))
        d.advance(to: .seconds(8)) { tx.handle(.timerFired($0)) }
        // Timer G: 0.5, 1, 2, 4 (capped at T2) ...
        #expect(d.sendTimes == [0, 0, 0.5, 1.5, 3.5, 7.5])
        var ack = Fixtures.request(.ack, toTag: "to1")
        ack.headers.set(.cseq, "1 ACK")
        d.apply(tx.handle(.request(ack)))
        #expect(tx.state == .confirmed)
        #expect(d.count { $0 == .deliverAck(ack) } == 1)
        d.advance(to: .seconds(20)) { tx.handle(.timerFired($0)) }
        #expect(d.sendTimes.count == 6)
        #expect(tx.state == .terminated)
    }

    @Test func timerHFiresWhenAckNeverComes() {
        var tx = ServerInviteTransaction(request: invite, reliable: false)
        var d = ManualTimerDriver()
        d.apply(tx.start())
        d.apply(tx.handle(.respond(Fixtures.response(603, to: invite))))
        d.advance(to: .seconds(40)) { tx.handle(.timerFired($0)) }
        #expect(d.log.contains { $0.action == .timedOut && $0.at == .seconds(32) })
        #expect(tx.state == .terminated)
    }

    @Test func retransmittedInviteInCompletedGetsFinalAgain() {
        var tx = ServerInviteTransaction(request: invite, reliable: true)
        var d = ManualTimerDriver()
        d.apply(tx.start())
        d.apply(tx.handle(.respond(Fixtures.response(486, to: invite))))
        d.apply(tx.handle(.request(invite)))
        let codes = d.sent.compactMap { if case .response(let r) = $0 { r.statusCode } else { nil } }
        #expect(codes == [100, 486, 486])
    }

    @Test func successEntersAcceptedAbsorbsRetransmissionsAndEndsOnTimerL() {
        var tx = ServerInviteTransaction(request: invite, reliable: false)
        var d = ManualTimerDriver()
        d.apply(tx.start())
        let ok = Fixtures.response(200, to: invite)
        d.apply(tx.handle(.respond(ok)))
        #expect(tx.state == .accepted)
        d.apply(tx.handle(.request(invite)))
        #expect(d.sendTimes == [0, 0])
        // The TU's own 2xx retransmission goes out through the transaction.
        d.apply(tx.handle(.respond(ok)))
        #expect(d.sendTimes == [0, 0, 0])
        d.advance(to: .seconds(32)) { tx.handle(.timerFired($0)) }
        #expect(tx.state == .terminated)
    }
}

struct ServerNonInviteTransactionTests {
    let bye = Fixtures.request(.bye, toTag: "to1")

    @Test func absorbsRetransmissionsWhileTryingAndRepeatsFinalLater() {
        var tx = ServerNonInviteTransaction(request: bye, reliable: false)
        var d = ManualTimerDriver()
        d.apply(tx.handle(.request(bye)))
        #expect(d.sent.isEmpty)
        d.apply(tx.handle(.respond(Fixtures.response(200, to: bye))))
        d.apply(tx.handle(.request(bye)))
        #expect(d.sendTimes == [0, 0])
        d.advance(to: .seconds(31)) { tx.handle(.timerFired($0)) }
        #expect(tx.state == .completed)
        d.advance(to: .seconds(32)) { tx.handle(.timerFired($0)) }
        #expect(tx.state == .terminated)
    }

    @Test func provisionalIsRepeatedForRetransmission() {
        var tx = ServerNonInviteTransaction(request: bye, reliable: false)
        var d = ManualTimerDriver()
        d.apply(tx.handle(.respond(Fixtures.response(100, to: bye, toTag: nil))))
        d.apply(tx.handle(.request(bye)))
        let codes = d.sent.compactMap { if case .response(let r) = $0 { r.statusCode } else { nil } }
        #expect(codes == [100, 100])
    }

    @Test func reliableTransportTerminatesOnFinal() {
        var tx = ServerNonInviteTransaction(request: bye, reliable: true)
        let actions = tx.handle(.respond(Fixtures.response(200, to: bye)))
        #expect(actions.last == .terminated)
    }
}
