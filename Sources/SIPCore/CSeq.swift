/// The CSeq header: a 32-bit sequence number and the request method (RFC 3261 §20.16).
public struct CSeq: Sendable, Hashable, CustomStringConvertible {
    public var sequence: UInt32
    public var method: SIPMethod

    public init(_ sequence: UInt32, _ method: SIPMethod) {
        self.sequence = sequence
        self.method = method
    }

    public var description: String { "\(sequence) \(method.rawValue)" }

    /// Parses `1*DIGIT LWS Method`; the number must fit in 32 bits (RFC 3261 §8.1.1.5).
    public init(parsing text: some StringProtocol) throws(SIPSyntaxError) {
        try self.init(scanning: SIPValueScanner(text, header: "CSeq"))
    }

    /// `init(parsing:)` on a scanner at the start of the value.
    init(scanning scanner: SIPValueScanner) throws(SIPSyntaxError) {
        var s = scanner
        s.skipWhitespace()
        let digits = s.scan(SIPCharacterClass.digits)
        guard !digits.isEmpty else { throw s.error("expected sequence number") }
        guard let n = UInt32(digits) else { throw SIPSyntaxError("sequence number exceeds 2^32-1", header: "CSeq", position: 0) }
        guard let b = s.peek, SIPCharacterClass.isWhitespace(b) else { throw s.error("expected LWS after sequence number") }
        let method = try s.token("method")
        try s.expectEnd()
        self.init(n, SIPMethod(method))
    }
}

/// RAck: response-num, CSeq-num and method of the reliable provisional being acknowledged
/// (RFC 3262 §7.2).
public struct RAck: Sendable, Hashable, CustomStringConvertible {
    public var responseNumber: UInt32
    public var cseq: CSeq

    public init(responseNumber: UInt32, cseq: CSeq) {
        self.responseNumber = responseNumber
        self.cseq = cseq
    }

    public var description: String { "\(responseNumber) \(cseq)" }

    public init(parsing text: some StringProtocol) throws(SIPSyntaxError) {
        var s = SIPValueScanner(text, header: "RAck")
        s.skipWhitespace()
        guard let rseq = UInt32(s.scan(SIPCharacterClass.digits)) else { throw s.error("expected response number") }
        let rest = String(decoding: s.bytes[s.index...], as: UTF8.self)
        self.init(responseNumber: rseq, cseq: try CSeq(parsing: rest))
    }
}

extension SIPValueScanner {
    /// `1*DIGIT` as an unsigned 32-bit number (delta-seconds, RSeq, ...).
    mutating func uint32(_ what: String) throws(SIPSyntaxError) -> UInt32 {
        skipWhitespace()
        let d = scan(SIPCharacterClass.digits)
        guard !d.isEmpty else { throw error("expected \(what)") }
        guard let n = UInt32(d) else { throw error("\(what) exceeds 2^32-1") }
        return n
    }
}
