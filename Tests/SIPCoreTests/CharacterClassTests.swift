@testable import SIPCore
import Testing

/// The literal masks of `ByteSet` against the RFC 3261 §25.1 (and RFC 3966) character lists
/// they stand for.
struct CharacterClassTests {
    static let alphanum = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    static let unreserved = alphanum + Array("-_.!~*'()".utf8)

    static func set(_ base: [UInt8], _ extra: String) -> ByteSet { ByteSet(members: base + Array(extra.utf8)) }

    @Test func tokenWordHostAndDigits() {
        #expect(SIPCharacterClass.token == Self.set(Self.alphanum, "-.!%*_+`'~"))
        #expect(SIPCharacterClass.word == Self.set(Self.alphanum, "-.!%*_+`'~()<>:\\\"/[]?{}"))
        #expect(SIPCharacterClass.host == Self.set(Self.alphanum, "-._[]:"))
        #expect(SIPCharacterClass.digits == Self.set([], "0123456789"))
        #expect(SIPValueScanner.genericValue == Self.set(Self.alphanum, "-.!%*_+`'~[]:"))
    }

    @Test func uriCharacterSets() {
        #expect(SIPURIGrammar.forbidden == ByteSet(members: Array(0...0x20) + [0x7F, 0x3C, 0x3E, 0x22]))
        #expect(SIPURIGrammar.unreserved == Self.set(Self.unreserved, ""))
        #expect(SIPURIGrammar.userChars == Self.set(Self.unreserved, "&=+$,;?/%"))
        #expect(SIPURIGrammar.passwordChars == Self.set(Self.unreserved, "&=+$,%"))
        #expect(SIPURIGrammar.paramChars == Self.set(Self.unreserved, "[]/:&+$%"))
        #expect(SIPURIGrammar.headerChars == Self.set(Self.unreserved, "[]/?:+$%"))
        #expect(SIPURIGrammar.telChars == Self.set(Self.unreserved, "+#%*:/&=,$?@[]"))
        #expect(SIPURIGrammar.hostnameChars == Self.set(Self.alphanum, "-._"))
    }

    @Test func bytesAboveASCIIAreNeverMembers() {
        #expect(!(0x80...0xFF).contains { SIPCharacterClass.word.contains(UInt8($0)) })
        #expect(SIPCharacterClass.token.contains(UInt8(ascii: "~")) && !SIPCharacterClass.token.contains(UInt8(ascii: "@")))
    }
}

/// The word-at-a-time helpers against their byte-by-byte definitions.
struct ByteScanningTests {
    @Test func lowercasedChangesOnlyUpperCaseLetters() {
        for start in stride(from: 0, to: 256, by: 8) {
            let bytes = (0..<8).map { UInt8(start + $0) }
            let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            let expected = bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
            let got = withUnsafeBytes(of: ByteScanning.lowercased(word)) { Array($0) }
            #expect(got == expected, "bytes \(start)...\(start + 7)")
        }
    }

    @Test func knownNamesMatchInAnyCaseOnly() {
        let names = ["p-asserted-identity", "P-ASSERTED-IDENTITY", "P-Asserted-Identity", "Call-ID", "v", "Content-Length"]
        for n in names {
            #expect(Array(n.utf8).withUnsafeBytes { SIPHeaderName.known($0) } != nil, "\(n)")
        }
        // Every known name, in three spellings, finds its own id; with any one byte changed,
        // it finds no name (the hash and the comparison both look at the bytes).
        for id in UInt8(1)...UInt8(SIPHeaderName.knownCount) {
            let canonical = Array(SIPHeaderName.canonical(id))
            let spelled = String(decoding: canonical, as: UTF8.self)
            for variant in [spelled, spelled.lowercased(), spelled.uppercased()] {
                #expect(Array(variant.utf8).withUnsafeBytes { SIPHeaderName.knownID($0) } == id, "\(variant)")
            }
            for k in canonical.indices {
                var changed = canonical
                changed[k] = changed[k] == UInt8(ascii: "x") ? UInt8(ascii: "q") : UInt8(ascii: "x")
                #expect(changed.withUnsafeBytes { SIPHeaderName.knownID($0) } == 0, "\(String(decoding: changed, as: UTF8.self))")
            }
        }
        // A CR or other byte that only differs from '-' or a letter by the 0x20 bit is no match.
        for n in ["Call\rID", "P-Asserted\rIdentity", "Content\rLength", "Call-I\u{04}"] {
            #expect(Array(n.utf8).withUnsafeBytes { SIPHeaderName.known($0) } == nil, "\(n.debugDescription)")
        }
    }

    /// The search finds the first match at any alignment, and `seen` has its high bit set
    /// exactly when a byte of 0x80 or above lies between the start and the match (bytes
    /// read beyond the match may add to it; here there are none above 0x7F).
    @Test func firstIndexFindsTheMatchAndSeesHighBytes() {
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 31, 40, 70] {
            for match in [nil] + Array(0..<length) {
                for high in [nil] + Array(0..<length) where high != match {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    if let match { bytes[match] = 0x0A }
                    if let high { bytes[high] = 0xC3 }
                    var seen: UInt8 = 0
                    let found = bytes.withUnsafeBytes { ByteScanning.firstIndex(of: 0x0A, in: $0, from: 0, seen: &seen) }
                    #expect(found == match, "length \(length) match \(String(describing: match))")
                    if let high, high < (match ?? length) { #expect(seen >= 0x80, "high byte at \(high) before \(String(describing: match))") }
                    if high == nil { #expect(seen < 0x80) }
                }
            }
        }
    }
}
