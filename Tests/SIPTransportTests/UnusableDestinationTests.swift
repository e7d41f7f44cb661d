import NIOCore
@testable import SIPTransport
import Testing

/// Addresses no SIP peer can be at are refused before the kernel sees them; peers pass.
struct UnusableDestinationTests {
    @Test(arguments: [
        ("127.0.0.1", 0, UnusableDestination.portZero),
        ("0.0.0.0", 5060, .unspecifiedAddress),
        ("255.255.255.255", 5060, .broadcastAddress),
        ("224.0.0.1", 5060, .multicastAddress),
        ("239.255.255.250", 1900, .multicastAddress),
        ("::1", 0, .portZero),
        ("::", 5060, .unspecifiedAddress),
        ("ff02::1", 5060, .multicastAddress),
        ("::ffff:255.255.255.255", 5060, .broadcastAddress),
        ("::ffff:224.0.0.5", 5060, .multicastAddress),
        ("::ffff:0.0.0.0", 5060, .unspecifiedAddress),
    ])
    func refused(host: String, port: Int, reason: UnusableDestination) throws {
        #expect(UnusableDestination(try SocketAddress(ipAddress: host, port: port)) == reason)
    }

    @Test(arguments: [
        ("127.0.0.1", 5060), ("192.0.2.10", 5080), ("223.255.255.255", 5060), ("240.0.0.1", 5060),
        ("::1", 5060), ("2001:db8::1", 5061), ("fe80::1", 5060), ("::ffff:127.0.0.1", 5060),
    ])
    func peers(host: String, port: Int) throws {
        #expect(UnusableDestination(try SocketAddress(ipAddress: host, port: port)) == nil)
    }
}
