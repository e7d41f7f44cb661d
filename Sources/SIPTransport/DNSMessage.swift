/// The small part of DNS (RFC 1035, RFC 2782 SRV, RFC 3596 AAAA) that RFC 3263 target
/// resolution needs: one question out, SRV/A/AAAA answers in.
enum DNSMessage {
    enum RecordType: UInt16 {
        case a = 1
        case aaaa = 28
        case srv = 33
    }

    struct SRVRecord: Equatable {
        var priority: UInt16
        var weight: UInt16
        var port: UInt16
        var target: String
    }

    enum Answer: Equatable {
        case srv(SRVRecord)
        case a([UInt8])
        case aaaa([UInt8])
    }

    enum DecodeError: Error { case truncated, badLabel, mismatchedID, serverFailure(UInt8) }

    /// A standard recursive query for one name and type.
    static func query(id: UInt16, name: String, type: RecordType) -> [UInt8] {
        var out: [UInt8] = []
        out += be16(id)
        out += [0x01, 0x00]          // RD
        out += be16(1) + be16(0) + be16(0) + be16(0)
        for label in name.split(separator: ".") {
            let bytes = Array(label.utf8.prefix(63))
            out.append(UInt8(bytes.count))
            out += bytes
        }
        out.append(0)
        out += be16(type.rawValue) + be16(1)   // class IN
        return out
    }

    /// The answers of a response to query `id`. NXDOMAIN gives no answers; other errors throw.
    static func decodeAnswers(_ b: [UInt8], id: UInt16) throws -> [Answer] {
        guard b.count >= 12 else { throw DecodeError.truncated }
        guard UInt16(b[0]) << 8 | UInt16(b[1]) == id else { throw DecodeError.mismatchedID }
        let rcode = b[3] & 0x0F
        if rcode == 3 { return [] }
        guard rcode == 0 else { throw DecodeError.serverFailure(rcode) }
        let qd = Int(u16(b, 4)), an = Int(u16(b, 6))
        var i = 12
        for _ in 0..<qd {
            _ = try readName(b, &i)
            i += 4
        }
        var answers: [Answer] = []
        for _ in 0..<an {
            _ = try readName(b, &i)
            guard i + 10 <= b.count else { throw DecodeError.truncated }
            let type = u16(b, i)
            let length = Int(u16(b, i + 8))
            i += 10
            guard i + length <= b.count else { throw DecodeError.truncated }
            switch RecordType(rawValue: type) {
            case .a where length == 4: answers.append(.a(Array(b[i..<(i + 4)])))
            case .aaaa where length == 16: answers.append(.aaaa(Array(b[i..<(i + 16)])))
            case .srv where length >= 7:
                var j = i + 6
                let target = try readName(b, &j)
                answers.append(.srv(SRVRecord(priority: u16(b, i), weight: u16(b, i + 2), port: u16(b, i + 4), target: target)))
            default: break
            }
            i += length
        }
        return answers
    }

    /// A possibly compressed domain name (RFC 1035 §4.1.4); advances `i` past it.
    static func readName(_ b: [UInt8], _ i: inout Int) throws -> String {
        var labels: [String] = []
        var j = i
        var jumped = false
        var hops = 0
        while true {
            guard j < b.count else { throw DecodeError.truncated }
            let len = Int(b[j])
            if len == 0 {
                j += 1
                break
            }
            if len & 0xC0 == 0xC0 {
                guard j + 1 < b.count, hops < 16 else { throw DecodeError.badLabel }
                let pointer = (len & 0x3F) << 8 | Int(b[j + 1])
                if !jumped { i = j + 2 }
                jumped = true
                hops += 1
                j = pointer
                continue
            }
            guard j + 1 + len <= b.count else { throw DecodeError.truncated }
            labels.append(String(decoding: b[(j + 1)...(j + len)], as: UTF8.self))
            j += 1 + len
        }
        if !jumped { i = j }
        return labels.joined(separator: ".")
    }

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) << 8 | UInt16(b[i + 1]) }
}
