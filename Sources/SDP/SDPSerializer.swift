extension SessionDescription {
    /// The description as text, CRLF after every line, in the order of RFC 4566 §5:
    /// v o s i u e p c b t r z k a, then each m= section with its i c b k a.
    public var text: String {
        var out = "v=0\r\n"
        let o = origin
        out += "o=\(o.username) \(o.sessionID) \(o.sessionVersion) IN \(o.address.addressType.rawValue) \(o.address.address)\r\n"
        out += "s=\(sessionName)\r\n"
        out += Self.lines(otherLines, rank: 0, media: false)
        if let connection { out += Self.line(connection) }
        out += Self.lines(otherLines, rank: 1, media: false)
        for t in timing { out += "t=\(t)\r\n" }
        out += Self.lines(otherLines, rank: 2, media: false)
        for a in attributes { out += Self.line(a) }
        for m in media { out += m.text }
        return out
    }

    public var bytes: [UInt8] { Array(text.utf8) }

    static func line(_ c: SDPConnection) -> String { "c=IN \(c.addressType.rawValue) \(c.address)\r\n" }
    static func line(_ a: SDPAttribute) -> String { "a=\(a.name)" + (a.value.map { ":\($0)" } ?? "") + "\r\n" }

    static func lines(_ lines: [SDPLine], rank: Int, media: Bool) -> String {
        lines.filter { $0.grammarRank(media: media) == rank }.map { "\($0.type)=\($0.value)\r\n" }.joined()
    }
}

extension MediaDescription {
    /// The m= line and the section's own lines (RFC 4566 §5): i c b k, then a.
    public var text: String {
        var out = "m=\(media) \(port)" + (portCount.map { "/\($0)" } ?? "") + " \(proto)"
        for f in formats { out += " \(f)" }
        out += "\r\n"
        out += SessionDescription.lines(otherLines, rank: 0, media: true)
        if let connection { out += SessionDescription.line(connection) }
        out += SessionDescription.lines(otherLines, rank: 1, media: true)
        out += SessionDescription.lines(otherLines, rank: 2, media: true)
        for a in attributes { out += SessionDescription.line(a) }
        return out
    }
}

extension SDPLine {
    /// Where RFC 4566 §5 puts this line type: 0 before c=, 1 between c= and t=, 2 after
    /// the t= lines (session) or after b=/k= (media). Unknown types go last, before a=.
    func grammarRank(media: Bool) -> Int {
        switch type {
        case "i": 0
        case "u", "e", "p": media ? 2 : 0
        case "b": 1
        case "k": media ? 1 : 2
        default: 2
        }
    }
}

extension [SDPLine] {
    /// Inserts after every line of the same or an earlier grammar position, so that the
    /// stored order is the order the serializer writes (round trips stay equal).
    mutating func insertInGrammarOrder(_ line: SDPLine, media: Bool) {
        let rank = line.grammarRank(media: media)
        let index = lastIndex { $0.grammarRank(media: media) <= rank }.map { $0 + 1 } ?? 0
        insert(line, at: index)
    }
}
