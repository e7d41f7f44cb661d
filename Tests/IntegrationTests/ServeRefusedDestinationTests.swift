import Foundation
import Testing

/// A request whose top Via names a destination the kernel will not send to (port 0, a
/// broadcast or multicast group, a network with no route) must never silence `sipdial
/// serve`: its answer is dropped and counted, and every request after it, in the same
/// read batch or later, is answered. Before the fix one OPTIONS with `Via: …:0` closed the
/// UDP listener for good (NIO closes a datagram channel on EINVAL).
@Suite(.serialized)
struct ServeRefusedDestinationTests {
    static func options(via sentBy: String, branch: String, rport: Bool = false, method: String = "OPTIONS") -> String {
        "\(method) sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP \(sentBy);branch=z9hG4bK-\(branch)\(rport ? ";rport" : "")\r\n"
            + "From: <sip:t@example.com>;tag=\(branch)\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: \(branch)\r\nCSeq: 1 \(method)\r\n"
            + "Max-Forwards: 70\r\nContact: <sip:t@127.0.0.1:9>\r\nContent-Length: 0\r\n\r\n"
    }

    /// Each refused destination, once with an OPTIONS and once with an INVITE (whose 480 is
    /// retransmitted to it by Timer G), followed by an OPTIONS that must be answered.
    func checkEachDestination(_ destinations: [String], host: String) async throws {
        let dialer = try await UDPServe(host: host, logLevel: "warning")
        let client = UDPClient(port: dialer.port, host: host)
        for (index, destination) in destinations.enumerated() {
            for method in ["OPTIONS", "INVITE"] {
                client.send(Self.options(via: destination, branch: "bad\(index)\(method)", method: method))
                let probe = "probe\(index)\(method)"
                client.send(Self.options(via: "\(host.contains(":") ? "[\(host)]" : host):9", branch: probe, rport: true))
                let answered: (String) -> Bool = { $0.hasPrefix("SIP/2.0 200 OK") && $0.contains("Call-ID: \(probe)\r\n") }
                let replies = client.collect(timeout: .seconds(5)) { $0.contains(where: answered) }
                #expect(replies.contains(where: answered),
                        "no answer after a \(method) with Via \(destination): \(replies.map { $0.prefix(30) })\n\(dialer.process.text)")
            }
        }
        #expect(dialer.process.isRunning)
        #expect(dialer.process.text.contains("message not sent"), "the refusal is logged: \(dialer.process.text)")
    }

    @Test func refusedIPv4DestinationsLeaveSIPAnswering() async throws {
        // 127.0.0.1:0 → EINVAL and 127.255.255.255 → EACCES from the kernel; the others are
        // refused before it (sipdial never sends to them).
        try await checkEachDestination(["127.0.0.1:0", "255.255.255.255:5060", "224.0.0.1:5060", "0.0.0.0:5060", "127.255.255.255:5060"], host: "127.0.0.1")
    }

    @Test func refusedIPv6DestinationsLeaveSIPAnswering() async throws {
        // [::ffff:127.0.0.1] from a socket on ::1 → ENETUNREACH from the kernel.
        try await checkEachDestination(["[::1]:0", "[ff02::1]:5060", "[::]:5060", "[::ffff:127.0.0.1]:5060"], host: "::1")
    }

    /// Refused and good answers produced in one read batch: the good ones still go out.
    @Test func aRefusedAnswerDoesNotHoldBackTheRestOfItsBatch() async throws {
        let dialer = try await UDPServe()
        let client = UDPClient(port: dialer.port)
        for round in 0..<5 {
            var expected: Set<String> = []
            for i in 0..<12 {
                if i % 3 == 2 {
                    let branch = "good\(round)-\(i)"
                    expected.insert(branch)
                    client.send(Self.options(via: "127.0.0.1:9", branch: branch, rport: true))
                } else {
                    client.send(Self.options(via: i % 2 == 0 ? "127.0.0.1:0" : "127.255.255.255:5060", branch: "bad\(round)-\(i)"))
                }
            }
            func answered(_ replies: [String]) -> Set<String> {
                Set(replies.compactMap { reply -> String? in
                    guard reply.hasPrefix("SIP/2.0 200 OK"), let line = reply.split(separator: "\r\n").first(where: { $0.hasPrefix("Call-ID: ") }) else { return nil }
                    return String(line.dropFirst("Call-ID: ".count))
                })
            }
            let replies = client.collect(timeout: .seconds(5)) { answered($0) == expected }
            #expect(answered(replies) == expected, "round \(round)")
        }
        #expect(dialer.process.isRunning)
    }
}
