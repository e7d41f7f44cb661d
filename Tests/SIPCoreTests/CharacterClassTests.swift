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
