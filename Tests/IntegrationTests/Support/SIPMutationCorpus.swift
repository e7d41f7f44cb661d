/// A grammar-based mutation corpus: realistic INVITE, OPTIONS and REGISTER requests, each
/// with every line (request line, each header, the body's length) broken in each way a
/// careless or hostile peer breaks them: empty, huge, repeated, illegal characters, bad
/// numbers, bad ports, bad IPv6 references, missing parts, lying Content-Length.
///
/// Every message stays aimed at loopback: a response goes to the packet's source address
/// (the Via gets `received`, RFC 3261 §18.2.1) at the Via's port or rport, and that port
/// may be 0 or a port nobody listens on — never `maddr`, never a host name to resolve.
enum SIPMutationCorpus {
    /// One message of the corpus and what was done to it.
    struct Case {
        var name: String
        var bytes: [UInt8]
    }

    struct Template {
        var name: String
        var requestLine: String
        var headers: [(String, String)]
        var body: String
    }

    /// The templates; `UNIQ` in them becomes each message's own identifier.
    static let templates: [Template] = {
        let unique = "UNIQ"
        let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n"
        func common(_ method: String, cseq: Int) -> [(String, String)] {
            [
                ("Via", "SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-\(unique);rport"),
                ("Max-Forwards", "70"),
                ("From", "\"Alice\" <sip:alice@127.0.0.1:5099>;tag=\(unique)"),
                ("To", "<sip:bob@127.0.0.1>"),
                ("Call-ID", "\(unique)@127.0.0.1"),
                ("CSeq", "\(cseq) \(method)"),
            ]
        }
        return [
            Template(name: "INVITE", requestLine: "INVITE sip:bob@127.0.0.1:5060;transport=udp SIP/2.0",
                     headers: common("INVITE", cseq: 1) + [
                        ("Contact", "<sip:alice@127.0.0.1:5099>;expires=60"),
                        ("Record-Route", "<sip:127.0.0.1:5098;lr>"),
                        ("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE"),
                        ("Supported", "100rel, timer"),
                        ("Session-Expires", "1800;refresher=uac"),
                        ("Min-SE", "90"),
                        ("P-Asserted-Identity", "<sip:+15550100@127.0.0.1>"),
                        ("Content-Type", "application/sdp"),
                     ], body: sdp),
            Template(name: "OPTIONS", requestLine: "OPTIONS sip:127.0.0.1 SIP/2.0",
                     headers: common("OPTIONS", cseq: 7) + [("Accept", "application/sdp"), ("User-Agent", "mutator/1.0")], body: ""),
            Template(name: "REGISTER", requestLine: "REGISTER sip:127.0.0.1 SIP/2.0",
                     headers: common("REGISTER", cseq: 3) + [
                        ("Contact", "<sip:alice@[::1]:5099;transport=udp>;expires=3600;q=0.7"),
                        ("Expires", "3600"),
                        ("Authorization", "Digest username=\"alice\", realm=\"127.0.0.1\", nonce=\"abc\", uri=\"sip:127.0.0.1\", response=\"00000000000000000000000000000000\", algorithm=MD5"),
                     ], body: ""),
        ]
    }()

    /// The ways one value is broken (each applied to every header of every template).
    static func valueMutations(_ value: String) -> [(String, String)] {
        var out: [(String, String)] = [
            ("empty", ""),
            ("blank", "   "),
            ("huge", String(repeating: value.isEmpty ? "x" : value, count: max(1, 9_000 / max(value.count, 1)))),
            ("nul", value + "\u{0}tail"),
            ("del-and-high-bytes", value + "\u{7F}\u{FF}\u{FE}"),
            ("bare-cr", value.prefix(value.count / 2) + "\r" + value.dropFirst(value.count / 2)),
            ("bare-lf", value.prefix(value.count / 2) + "\n" + value.dropFirst(value.count / 2)),
            ("unbalanced-quote", "\"" + value),
            ("unbalanced-angle", "<" + value),
            ("truncated", String(value.prefix(value.count / 2))),
            ("separators-only", ";;;,,,==="),
            ("utf8", value + " ñ 日本 \u{1F600}"),
        ]
        // Numbers: every run of digits replaced by a bad one.
        for (name, bad) in [("negative", "-1"), ("overflow", "99999999999999999999999"), ("hex", "0x1F"), ("letters", "abc"), ("zero", "0")] {
            if let replaced = replacingDigits(in: value, with: bad) { out.append(("number-\(name)", replaced)) }
        }
        // Ports: every host:port given a bad port.
        for bad in ["0", "65536", "99999", "-5", "", "5060x"] {
            if let replaced = replacingPort(in: value, with: bad) { out.append(("port-\(bad.isEmpty ? "empty" : bad)", replaced)) }
        }
        // IPv6 references in place of the loopback host.
        if value.contains("127.0.0.1") {
            for (name, bad) in [("v6-unclosed", "[::1"), ("v6-unopened", "::1]"), ("v6-bare", "::1"), ("v6-bad-hex", "[zz::1]"),
                                ("v6-too-many-groups", "[1:2:3:4:5:6:7:8:9]"), ("v6-zone", "[fe80::1%25lo]"), ("v6-empty", "[]"),
                                ("v6-mapped", "[::ffff:127.0.0.1]"), ("v6-double-colon-twice", "[::1::2]")] {
                out.append((name, value.replacingOccurrences(of: "127.0.0.1", with: bad)))
            }
        }
        return out
    }

    /// Every case for every template, each with Call-ID, tag and branch of its own.
    static func cases() -> [Case] {
        var out: [Case] = []
        func add(_ name: String, _ t: Template, contentLength: String = "") {
            let text = render(t, contentLength: contentLength).replacingOccurrences(of: "UNIQ", with: "m\(out.count)")
            out.append(Case(name: "\(t.name) \(name)", bytes: Array(text.utf8)))
        }
        for template in templates {
            // Request line: method, URI and version broken.
            let parts = template.requestLine.split(separator: " ").map(String.init)
            for (name, bad) in [("no-uri", "\(parts[0])  \(parts[2])"), ("no-version", "\(parts[0]) \(parts[1])"), ("version-3", "\(parts[0]) \(parts[1]) SIP/3.0"),
                                ("lower-method", "\(parts[0].lowercased()) \(parts[1]) \(parts[2])"), ("method-junk", "IN<>VITE \(parts[1]) \(parts[2])"),
                                ("uri-junk", "\(parts[0]) sip:@:;;@ \(parts[2])"), ("uri-huge", "\(parts[0]) sip:\(String(repeating: "a", count: 9_000))@127.0.0.1 \(parts[2])"),
                                ("tabs", parts.joined(separator: "\t")), ("empty", "")] {
                var t = template
                t.requestLine = bad
                add("request-line \(name)", t)
            }
            // Each header: each value mutation, removed, repeated, and its name broken.
            for (h, original) in template.headers.enumerated() {
                for (name, bad) in valueMutations(original.1) {
                    var t = template
                    t.headers[h].1 = bad
                    add("\(original.0) \(name)", t)
                    // Without rport the answer goes to the mutated sent-by itself (§18.2.2).
                    if bad.contains(";rport") {
                        t.headers[h].1 = bad.replacingOccurrences(of: ";rport", with: "")
                        add("\(original.0) \(name) no-rport", t)
                    }
                }
                var removed = template
                removed.headers.remove(at: h)
                add("\(original.0) missing", removed)
                var repeated = template
                repeated.headers.insert(contentsOf: Array(repeating: original, count: 60), at: h)
                add("\(original.0) repeated", repeated)
                for (name, badName) in [("name-empty", ""), ("name-space", original.0 + " x"), ("name-illegal", original.0 + "@{}")] {
                    var t = template
                    t.headers[h].0 = badName
                    add("\(original.0) \(name)", t)
                }
            }
            // Bodies whose length lies.
            for (name, length) in [("longer", "+100"), ("shorter", "-5"), ("negative", "=-1"), ("huge", "=4294967296"), ("letters", "=ten"), ("twice", "twice"), ("missing", "missing")] {
                add("Content-Length \(name)", template, contentLength: length)
            }
        }
        return out
    }

    static func render(_ t: Template, contentLength: String = "") -> String {
        var text = t.requestLine + "\r\n"
        for (name, value) in t.headers { text += "\(name): \(value)\r\n" }
        let length = t.body.utf8.count
        switch contentLength {
        case "": text += "Content-Length: \(length)\r\n"
        case "missing": break
        case "twice": text += "Content-Length: \(length)\r\nContent-Length: \(length + 3)\r\n"
        case let s where s.hasPrefix("+"): text += "Content-Length: \(length + Int(s.dropFirst())!)\r\n"
        case let s where s.hasPrefix("-"): text += "Content-Length: \(max(0, length - Int(s.dropFirst())!))\r\n"
        default: text += "Content-Length: \(contentLength.dropFirst())\r\n"
        }
        return text + "\r\n" + t.body
    }

    private static func replacingDigits(in value: String, with bad: String) -> String? {
        var out = ""
        var inDigits = false
        var changed = false
        for c in value {
            if c.isASCII, c.isNumber {
                if !inDigits { out += bad; changed = true }
                inDigits = true
            } else {
                out.append(c)
                inDigits = false
            }
        }
        return changed ? out : nil
    }

    private static func replacingPort(in value: String, with bad: String) -> String? {
        for host in ["127.0.0.1:", "]:"] {
            guard let range = value.range(of: host) else { continue }
            let digits = value[range.upperBound...].prefix { $0.isNumber }
            guard !digits.isEmpty else { continue }
            return value.replacingCharacters(in: range.upperBound..<digits.endIndex, with: bad)
        }
        return nil
    }
}
