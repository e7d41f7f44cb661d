import Foundation
import SIPCore
import SIPTransaction
import Testing

/// `sipdial serve` as a process: every RFC 4475/5118 vector is sent to it as a UDP datagram
/// over 127.0.0.1; it answers what must be answered with the verdict's status code, drops the
/// rest, never crashes, and still answers OPTIONS afterwards.
///
/// Each vector gets `;rport` on its top Via (RFC 3581) so that answers come back to the test's
/// socket instead of the vector's sent-by address (§18.2.2), and a branch of its own (several
/// vectors share `z9hG4bKkdjuw` and a sent-by, which §17.2.3 rightly matches as one
/// transaction). The expected verdict is computed on exactly those bytes.
struct ServeRobustnessTests {
    @Test func tortureDatagramsGetTheirVerdictAndTheServerSurvives() async throws {
        let dialer = try await UDPServe()
        let client = UDPClient(port: dialer.port)
        let dir = Bundle.module.url(forResource: "Torture", withExtension: nil)!
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".dat") }.sorted()
        #expect(files.count >= 60)
        var acceptedMergeKeys: Set<SIPMergeKey> = []
        for (index, file) in files.enumerated() {
            let bytes = withRport(Array(try Data(contentsOf: dir.appendingPathComponent(file))), unique: index)
            var (expected, callID, branch, rportUsable) = expectation(bytes)
            // §8.2.2.2: the same From tag, Call-ID and CSeq as a live earlier request on another
            // branch is a merged request (ipv6-*-colons.dat are one request with two URIs).
            if expected == nil, case .request(let r)? = try? SIPMessageParser().parseDatagram(bytes), let key = SIPMergeKey(r) {
                if acceptedMergeKeys.contains(key) { expected = 482 } else { acceptedMergeKeys.insert(key) }
            }
            client.send(bytes)
            // Answers to earlier INVITEs keep coming (Timer G until an ACK that never comes),
            // and several vectors share a Call-ID: only the replies with this vector's Call-ID
            // and top Via branch (made unique per vector by `withRport`) count.
            let replies = client.receiveAll().filter {
                header("Call-ID", in: $0) == callID && (branch == nil || header("Via", in: $0).flatMap { try? Via(parsing: $0) }?.branch == branch)
            }
            let finals = replies.compactMap { r -> Int? in
                guard r.hasPrefix("SIP/2.0 "), let code = Int(r.dropFirst(8).prefix(3)), code >= 200 else { return nil }
                return code
            }
            if let expected, rportUsable {
                #expect(finals.first == expected, "\(file): replies \(replies.map { $0.prefix(40) })")
            } else if expected == nil {
                // Accepted by the checks: the dialer answers it as a UA that takes no inbound
                // calls would (480 for a new INVITE, 481 for a BYE outside any call, 200 for
                // OPTIONS), or it is a response and gets nothing.
                #expect(finals.allSatisfy { $0 < 300 || $0 == 480 || $0 == 481 }, "\(file): unexpected \(finals)")
            }
            #expect(dialer.process.isRunning, "sipdial died on \(file)")
        }
        let options = "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-probe;rport\r\nFrom: <sip:t@x>;tag=p\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: probe\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        client.send(Array(options.utf8))
        #expect(client.receiveAll().first?.hasPrefix("SIP/2.0 200 OK") == true)
    }

    /// The message with ";rport" appended to its first Via line and `u<unique>-` inserted
    /// after that Via's magic cookie (a bare cookie stays bare).
    func withRport(_ bytes: [UInt8], unique: Int) -> [UInt8] {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        for i in lines.indices {
            let lower = String(decoding: lines[i].prefix(4), as: UTF8.self).lowercased()
            guard lower.hasPrefix("via:") || lower.hasPrefix("v:") || lower.hasPrefix("via ") else { continue }
            let cr = lines[i].last == UInt8(ascii: "\r")
            if cr { lines[i].removeLast() }
            var text = String(decoding: lines[i], as: UTF8.self)
            if let r = text.range(of: "branch=z9hG4bK"), r.upperBound < text.endIndex, !";,\r ".contains(text[r.upperBound]) {
                text.insert(contentsOf: "u\(unique)-", at: r.upperBound)
            }
            lines[i] = Array((text + ";rport").utf8) + (cr ? [UInt8(ascii: "\r")] : [])
            break
        }
        return Array(lines.joined(separator: [UInt8(ascii: "\n")]))
    }

    /// The status the validator demands for a request that must be rejected (nil otherwise),
    /// its Call-ID, its top Via's branch, and whether that Via parses with the rport the test
    /// added: when it does not (badinv01's broken Via), §18.2.2 sends the answer to the
    /// sent-by port, not to us.
    func expectation(_ bytes: [UInt8]) -> (Int?, String?, String?, Bool) {
        let validator = SIPMessageValidator()
        let headers: SIPHeaders
        let status: Int?
        do {
            let m = try SIPMessageParser().parseDatagram(bytes)
            headers = m.headers
            if case .response = m { return (nil, headers[.callID], nil, false) }
            status = validator.check(m).responseStatus
        } catch {
            headers = error.partial?.headers ?? SIPHeaders()
            status = validator.check(error).responseStatus
        }
        let top = headers.listValues(.via).first.flatMap { try? Via(parsing: $0) }
        return (status, headers[.callID], top?.branch, top?.rport != nil)
    }

    func header(_ name: String, in message: String) -> String? {
        for line in message.split(separator: "\r\n") where line.lowercased().hasPrefix(name.lowercased() + ":") {
            return String(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
