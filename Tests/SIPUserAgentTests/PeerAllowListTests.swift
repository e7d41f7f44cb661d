import NIOCore
import SIPCore
import SIPUserAgent
import Testing

/// Which sources may open dialogs (the 403 toll-fraud defence).
struct PeerAllowListTests {
    func address(_ ip: String) throws -> SocketAddress { try SocketAddress(ipAddress: ip, port: 5060) }

    @Test func addressesAndRanges() throws {
        let list = try SIPPeerAllowList(["192.0.2.10", "198.51.100.0/24", "2001:db8::/32"])
        #expect(list.allows(try address("192.0.2.10")))
        #expect(!list.allows(try address("192.0.2.11")))
        #expect(list.allows(try address("198.51.100.77")))
        #expect(!list.allows(try address("198.51.101.1")))
        #expect(list.allows(try address("2001:db8:1::5")))
        #expect(!list.allows(try address("2001:db9::5")))
        #expect(!list.allows(try address("::ffff:192.0.2.10")), "no cross-family match")
    }

    @Test func loopbackDefault() throws {
        #expect(SIPPeerAllowList.loopback.allows(try address("127.0.0.2")))
        #expect(SIPPeerAllowList.loopback.allows(try address("::1")))
        #expect(!SIPPeerAllowList.loopback.allows(try address("10.0.0.1")))
    }

    @Test func badEntryIsNamed() {
        #expect(throws: SIPPeerAllowListError(entry: "10.0.0.0/33")) { try SIPPeerAllowList(["10.0.0.0/33"]) }
        #expect(throws: SIPPeerAllowListError(entry: "trunk.example.com")) { try SIPPeerAllowList(["trunk.example.com"]) }
    }
}
