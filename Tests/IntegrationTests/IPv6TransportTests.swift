import NIOCore
import SIPCore
import SIPTransport
import Testing

/// Two sipdial stacks talking over [::1]: listeners, Via sent-by, response routing and TCP
/// connections all work with IPv6 references (RFC 5118).
@Suite(.serialized)
struct IPv6TransportTests {
    @Test(arguments: [SIPTransportType.udp, .tcp])
    func callOverIPv6Loopback(_ transport: SIPTransportType) async throws {
        let server = try await LocalSIPStack(autoAnswer: true, host: "::1")
        let client = try await LocalSIPStack(autoAnswer: false, host: "::1")
        defer { Task { await server.shutdown(); await client.shutdown() } }
        let destination = SIPDestination(address: try SocketAddress(ipAddress: "::1", port: server.port), transport: transport)
        let via = Via(transport: transport.rawValue, host: "[::1]", port: client.port, parameters: [SIPParameter("branch", SIPIdentifiers.branch()), SIPParameter("rport")])
        let target = SIPURI(user: "service", host: "[::1]", port: server.port)
        let options = SIPRequestFactory.request(
            method: .options, uri: target, via: via, from: SIPAddress(uri: SIPURI(user: "c", host: "[::1]"), parameters: [SIPParameter("tag", "t1")]),
            to: SIPAddress(uri: target), callID: SIPIdentifiers.callID(), cseq: 1)
        let events = await client.run(options, to: destination)
        guard case .response(let ok)? = events.last else { Issue.record("\(events)"); return }
        #expect(ok.statusCode == 200)
        #expect(try ok.headers.vias().first?.host == "[::1]")

        var inviteVia = via
        inviteVia.branch = SIPIdentifiers.branch()
        let invite = SIPRequestFactory.request(
            method: .invite, uri: target, via: inviteVia, from: SIPAddress(uri: SIPURI(user: "c", host: "[::1]"), parameters: [SIPParameter("tag", "t2")]),
            to: SIPAddress(uri: target), callID: SIPIdentifiers.callID(), cseq: 1,
            contact: SIPAddress(uri: SIPURI(user: "c", host: "[::1]", port: client.port)), contentType: "application/sdp", body: sampleOffer)
        let inviteEvents = await client.run(invite, to: destination)
        guard case .response(let answer)? = inviteEvents.last, answer.statusCode == 200 else { Issue.record("\(inviteEvents)"); return }
        // The answer's SDP rejects the stream (no media engine yet) and names an IPv6 address.
        #expect(String(decoding: answer.body, as: UTF8.self).contains("c=IN IP6 ::1"))
        var ackVia = via
        ackVia.branch = SIPIdentifiers.branch()
        _ = try await client.transactions.sendStateless(.request(SIPRequestFactory.ackFor2xx(invite: invite, response: answer, via: ackVia)), to: destination).get()
        var byeVia = via
        byeVia.branch = SIPIdentifiers.branch()
        let bye = SIPRequestFactory.request(
            method: .bye, uri: target, via: byeVia, from: try invite.headers.from()!, to: try answer.headers.to()!,
            callID: invite.headers.callID!, cseq: 2)
        let byeEvents = await client.run(bye, to: destination)
        guard case .response(let byeAnswer)? = byeEvents.last else { Issue.record("BYE: \(byeEvents)"); return }
        #expect(byeAnswer.statusCode == 200)
    }
}
