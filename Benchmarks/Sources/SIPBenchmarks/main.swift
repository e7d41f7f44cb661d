import Foundation
import SIPCore

// Parse and serialize a realistic INVITE with SDP, one core, and print ns per message.
// Run: make bench   (or: cd Benchmarks && swift run -c release SIPBenchmarks [iterations])

let invite = """
INVITE sip:+15551234567@trunk.example.com:5060;user=phone SIP/2.0\r
Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-524287-1---d8754z-;rport\r
Max-Forwards: 70\r
Contact: <sip:dialer@203.0.113.10:5060;transport=udp>\r
To: <sip:+15551234567@trunk.example.com>\r
From: "Acme Reminders" <sip:+15550001111@acme.example.com>;tag=a73kszlfl\r
Call-ID: 3848276298220188511@203.0.113.10\r
CSeq: 1 INVITE\r
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO, REFER, NOTIFY\r
Supported: 100rel, timer, replaces\r
P-Asserted-Identity: "Acme Reminders" <sip:+15550001111@acme.example.com>\r
Session-Expires: 1800;refresher=uac\r
Min-SE: 90\r
User-Agent: sipdial/0.1\r
Content-Type: application/sdp\r
Content-Length: 300\r
\r
v=0\r
o=sipdial 3848276298 3848276298 IN IP4 203.0.113.10\r
s=sipdial\r
c=IN IP4 203.0.113.10\r
t=0 0\r
m=audio 40000 RTP/AVP 0 8 111 101\r
a=rtpmap:0 PCMU/8000\r
a=rtpmap:8 PCMA/8000\r
a=rtpmap:111 opus/48000/2\r
a=rtpmap:101 telephone-event/8000\r
a=fmtp:101 0-16\r
a=ptime:20\r
a=sendrecv\r

"""
var bytes = Array(invite.utf8)
// Make Content-Length match the body exactly.
let text = String(decoding: bytes, as: UTF8.self)
let body = text.components(separatedBy: "\r\n\r\n")[1]
bytes = Array(text.replacingOccurrences(of: "Content-Length: 300", with: "Content-Length: \(body.utf8.count)").utf8)

let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 200_000 : 200_000
/// `SIPBenchmarks N parse` (or `serialize`; `typed`: the typed reads alone; `validate`: the
/// validator alone) runs only that loop (for profiling).
let only = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : nil
let parser = SIPMessageParser()
let message = try! parser.parseDatagram(bytes)
precondition(try! parser.parseDatagram(message.bytes) == message)

/// Keeps a result alive so the optimizer cannot drop the work that made it.
@inline(never) @_optimize(none) func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }

func measure(_ name: String, _ body: () -> Void) -> Double {
    for _ in 0..<(iterations / 10) { body() }   // warm-up
    var best = Double.infinity
    for _ in 0..<5 {
        let start = ContinuousClock.now
        for _ in 0..<iterations { body() }
        let elapsed = ContinuousClock.now - start
        let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        best = min(best, ns / Double(iterations))
    }
    print("\(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(String(format: "%8.0f", best)) ns/msg")
    return best
}

if only == "parse" {
    for _ in 0..<iterations { blackHole(try! SIPMessageParser().parseDatagram(bytes)) }
    exit(0)
}
if only == "typed" {
    let h = message.headers
    for _ in 0..<iterations {
        blackHole(try! Via(parsing: h.listValues(.via)[0]))
        blackHole(try! CSeq(parsing: h[.cseq]!))
        blackHole(try! SIPAddress(parsing: h[.from]!).tag)
        blackHole(try! SIPAddress(parsing: h[.to]!).tag)
    }
    exit(0)
}
if only == "validate" {
    let validator = SIPMessageValidator()
    for _ in 0..<iterations { blackHole(validator.check(message)) }
    exit(0)
}
if only == "serialize" {
    for _ in 0..<iterations { blackHole(message.bytes) }
    exit(0)
}
print("message: INVITE with SDP, \(bytes.count) bytes, \(message.headers.count) headers; \(iterations) iterations, best of 5")
let copy = measure("baseline: copy the bytes into a new array") {
    blackHole([UInt8](unsafeUninitializedCapacity: bytes.count) { b, n in
        bytes.withUnsafeBufferPointer { b.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
        n = bytes.count
    })
}
let parse = measure("parse") { blackHole(try! parser.parseDatagram(bytes)) }
let serialize = measure("serialize") { blackHole(message.bytes) }
let both = measure("parse + serialize") { blackHole(try! parser.parseDatagram(bytes).bytes) }
// Unchanged received lines are copied as they arrived; a changed field is written anew.
let changed = measure("parse + set one Via + serialize") {
    guard case .request(var r) = try! parser.parseDatagram(bytes) else { return }
    r.headers.set(.via, "SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-524287-1---d8754z-;rport=5060;received=198.51.100.7")
    blackHole(SIPMessage.request(r).bytes)
}
let typed = measure("parse + Via/CSeq/From/To typed + serialize") {
    let m = try! parser.parseDatagram(bytes)
    let h = m.headers
    blackHole(try! Via(parsing: h.listValues(.via)[0]))
    blackHole(try! CSeq(parsing: h[.cseq]!))
    blackHole(try! SIPAddress(parsing: h[.from]!).tag)
    blackHole(try! SIPAddress(parsing: h[.to]!).tag)
    blackHole(m.bytes)
}
let validator = SIPMessageValidator()
let validated = measure("parse + validate (RFC 3261 §8.2 checks)") {
    blackHole(validator.check(try! parser.parseDatagram(bytes)))
}
print(String(format: "parse + serialize = %.1fx the copy baseline; target <= 1500 ns, sipgo anchor ~2800 ns", both / copy))
_ = (parse, serialize, changed, typed, validated)
