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
        // A CR or other byte that only differs from '-' or a letter by the 0x20 bit is no match.
        for n in ["Call\rID", "P-Asserted\rIdentity", "Content\rLength", "Call-I\u{04}"] {
            #expect(Array(n.utf8).withUnsafeBytes { SIPHeaderName.known($0) } == nil, "\(n.debugDescription)")
        }
    }
}
