import Foundation
import NIOCore
import SIPCore
import SIPTransport
import SIPUserAgent
import Synchronization
import Testing

/// A caller that cancels while sipdial prepares its answer (RFC 3261 §9.2): the INVITE ends
/// with 487, and the answer made afterwards is not sent — the call ends as cancelled at once
/// instead of resending a 200 nobody wants for 32 s.
struct InboundCancelTests {
    @Test func anAnswerPreparedAfterTheCancelIsNotSent() async throws {
        let stack = try await LocalSIPStack(autoAnswer: false)
        defer { Task { await stack.shutdown() } }
        let held = Mutex<SIPServerTransaction?>(nil)
        let dispatcher = SIPSessionDispatcher(transactions: stack.transactions, incoming: { tx in held.withLock { $0 = tx } })
        // The dispatcher installs its handlers on the loop: wait until they are in place.
        try await stack.transactions.eventLoop.submit {}.get()
        let client = UDPClient(port: stack.port)
        let headers = "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-race1;rport\r\nFrom: <sip:caller@127.0.0.1>;tag=c1\r\n"
            + "To: <sip:1000@127.0.0.1>\r\nCall-ID: cancel-race-1\r\nMax-Forwards: 70\r\n"
        client.send(Array(("INVITE sip:1000@127.0.0.1 SIP/2.0\r\n" + headers + "CSeq: 1 INVITE\r\nContact: <sip:caller@127.0.0.1:9>\r\nContent-Length: 0\r\n\r\n").utf8))
        try await poll(timeout: .seconds(5)) { held.withLock { $0 != nil } }
        let invite = try #require(held.withLock { $0 }, "the INVITE did not reach the dispatcher; replies: \(client.receiveAll())")
        // The caller gives up before sipdial answers.
        client.send(Array(("CANCEL sip:1000@127.0.0.1 SIP/2.0\r\n" + headers + "CSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n").utf8))
        let replies = client.receiveAll()
        #expect(replies.contains { $0.hasPrefix("SIP/2.0 200") && $0.contains("CSeq: 1 CANCEL") }, "\(replies)")
        #expect(replies.contains { $0.hasPrefix("SIP/2.0 487") }, "\(replies)")

        let events = Mutex<[CallEvent]>([])
        let contact = SIPAddress(uri: SIPURI(host: "127.0.0.1", port: stack.port))
        let call = InboundCall(invite: invite, contact: contact, dispatcher: dispatcher) { event in events.withLock { $0.append(event) } }
        call.accept(media: AudioOffer(address: "127.0.0.1", port: 4000))
        try await poll(timeout: .seconds(5)) { !events.withLock { $0.isEmpty } }
        guard case .ended(let result)? = events.withLock({ $0.first }) else {
            Issue.record("the call did not end: \(events.withLock { $0 })")
            return
        }
        #expect(result.outcome == .cancelled && result.sipCode == 487 && result.hungUpBy == .remote, "\(result)")
        let after = client.receiveAll()
        #expect(!after.contains { $0.hasPrefix("SIP/2.0 200") }, "a 200 went out after the CANCEL: \(after)")
        #expect(try await dispatcher.sessionCount() == 0)
    }
}
