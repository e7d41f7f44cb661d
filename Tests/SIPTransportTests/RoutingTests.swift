import NIOCore
import SIPCore
@testable import SIPTransport
import Testing

/// RFC 3261 §18.2.1/§18.2.2 with RFC 3581, and RFC 3263 failover, as pure functions.
struct RoutingTests {
    @Test func responseGoesToReceivedAndRport() throws {
        let via = try Via(parsing: "SIP/2.0/UDP host.example.com:5062;branch=z9hG4bK1;received=192.0.2.4;rport=40000")
        #expect(SIPResponseRouting.target(for: via) == .init(host: "192.0.2.4", port: 40000))
    }

    @Test func responseGoesToReceivedAndSentByPortWithoutRport() throws {
        let via = try Via(parsing: "SIP/2.0/UDP host.example.com:5062;branch=z9hG4bK1;received=192.0.2.4")
        #expect(SIPResponseRouting.target(for: via) == .init(host: "192.0.2.4", port: 5062))
    }

    @Test func responseGoesToSentByWithDefaultPort() throws {
        let via = try Via(parsing: "SIP/2.0/UDP 192.0.2.5;branch=z9hG4bK1")
        #expect(SIPResponseRouting.target(for: via) == .init(host: "192.0.2.5", port: 5060))
    }

    @Test func maddrWins() throws {
        let via = try Via(parsing: "SIP/2.0/UDP 192.0.2.5;branch=z9hG4bK1;maddr=239.255.255.1;ttl=1")
        #expect(SIPResponseRouting.target(for: via).host == "239.255.255.1")
    }

    @Test func receivedIsNotAddedWhenSentByMatchesSource() throws {
        var r = SIPRequest(method: .options, uri: try SIPURI(parsing: "sip:a@b"), headers: [(.via, "SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bK1")])
        SIPViaStamping.stamp(&r, source: try SocketAddress(ipAddress: "192.0.2.5", port: 5060))
        #expect(r.headers[.via] == "SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bK1")
    }

    @Test func stampingRewritesOnlyTheTopViaOfAList() throws {
        var r = SIPRequest(method: .options, uri: try SIPURI(parsing: "sip:a@b"), headers: [(.via, "SIP/2.0/UDP a.example.com;branch=z9hG4bK1;rport, SIP/2.0/UDP b.example.com;branch=z9hG4bK2")])
        SIPViaStamping.stamp(&r, source: try SocketAddress(ipAddress: "192.0.2.8", port: 1234))
        let vias = r.headers.listValues(.via)
        #expect(vias.count == 2)
        #expect(vias[0].contains("received=192.0.2.8") && vias[0].contains("rport=1234"))
        #expect(vias[1] == "SIP/2.0/UDP b.example.com;branch=z9hG4bK2")
    }

    @Test func failoverWalksTargetsAndHonoursRetryAfter() {
        var f = SIPTargetFailover<String, Int>(targets: ["a", "b", "c"])
        #expect(f.next(now: 0) == "a")
        f.failed("a", .serviceUnavailable(retryUntil: 100))
        #expect(f.next(now: 1) == "b")
        f.failed("b", .timeout)
        #expect(f.next(now: 2) == "c")
        f.failed("c", .transportError)
        #expect(f.next(now: 3) == nil)
        #expect(f.blocked(at: 50) == ["a": 100])
        #expect(f.blocked(at: 100).isEmpty)
    }

    @Test func durationsBeyondTimeAmountsRangeSaturate() {
        #expect(Duration.seconds(1.5).timeAmount == .milliseconds(1500))
        #expect(Duration.seconds(Int64.max).timeAmount == .nanoseconds(.max))
        #expect(Duration.seconds(-Int64.max).timeAmount == .nanoseconds(.min))
    }

    @Test func srvOrderIsPriorityThenWeight() {
        let records = [
            DNSMessage.SRVRecord(priority: 20, weight: 0, port: 5060, target: "backup"),
            DNSMessage.SRVRecord(priority: 10, weight: 10, port: 5060, target: "light"),
            DNSMessage.SRVRecord(priority: 10, weight: 60, port: 5060, target: "heavy"),
        ]
        #expect(SIPTargetResolver.order(records).map(\.target) == ["heavy", "light", "backup"])
    }
}
