import Testing
@testable import SIPCore

/// `SIPHeaderSyntax.isTokenList` (one pass over the bytes) against the definition it
/// replaces: split at top-level commas, trim each element, and every non-empty one a token.
struct TokenListTests {
    static func bySplitting(_ v: String) -> Bool {
        splitSIPList(v).allSatisfy { part in
            let t = part.trimmingSIPWhitespace()
            return t.isEmpty || SIPCharacterClass.isToken(t)
        }
    }

    @Test(arguments: ["INVITE, ACK, CANCEL, BYE", "100rel,timer", " timer ", "", ",", "a,,b", "a b", "a,\"b,c\"",
                      "a;b", "tab\t,\tx", "x ,y", "é", "a, b ,c"])
    func examples(value: String) {
        #expect(SIPHeaderSyntax.isTokenList(value) == Self.bySplitting(value), "\(value.debugDescription)")
    }

    /// Random values over an alphabet with token bytes, separators, quotes and whitespace.
    @Test func agreesOnRandomValues() {
        let alphabet = Array("aZ9-.!%*_+`'~ \t,\";<>@é")
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let length = Int.random(in: 0...12, using: &rng)
            let value = String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
            #expect(SIPHeaderSyntax.isTokenList(value) == Self.bySplitting(value), "\(value.debugDescription)")
        }
    }
}
