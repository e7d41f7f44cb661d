import Testing
@testable import SIPCore

/// The validator checks addresses without building them (`SIPAddress.validate`); it must
/// accept exactly what `SIPAddress(parsing:)` accepts and report the same position.
struct AddressValidationTests {
    @Test(arguments: [
        "<sip:alice@example.com>;tag=1928301774",
        "\"Alice \\\"A\\\" Liddell\" <sip:alice@example.com;transport=tcp>;tag=x",
        "Alice Liddell <sips:alice@[2001:db8::1]:5061>",
        "sip:alice@example.com;tag=abc",
        "sip:+15551234567@example.com;user=phone",
        "<tel:+1-555-123-4567>",
        "  <sip:a@b>  ;  tag = 1  ",
        "<sip:alice@example.com?Subject=hi>",
        "sip:alice@example.com?Subject=hi",
        "\"unterminated <sip:a@b>",
        "Alice <sip:alice@example.com",
        "<sip:alice@exa mple.com>",
        "<sip:alice@example.com>;tag=",
        "<sip:alice@example.com>;=1",
        "<http://example.com>",
        "<sip:@>",
        "<>",
        "Bad\\Name <sip:a@b>",
        "<sip:a@b> junk",
        "",
    ])
    func validateAgreesWithParse(value: String) {
        var parseError: SIPSyntaxError?
        do { _ = try SIPAddress(parsing: value, header: "From") } catch { parseError = error }
        var validateError: SIPSyntaxError?
        do { try SIPAddress.validate(value, header: "From") } catch { validateError = error }
        #expect(parseError?.reason == validateError?.reason && parseError?.position == validateError?.position,
                "parse: \(String(describing: parseError)), validate: \(String(describing: validateError))")
    }

    @Test(arguments: ["<sip:a@b>, <sip:c@d>;expires=60", "*", "<sip:a@b>,,<sip:c@d>", "<sip:a@b>, bad uri"])
    func contactListsAgree(value: String) {
        let parsed = Result { () throws(SIPSyntaxError) in try SIPContact(parsing: value) }
        let validated = Result { () throws(SIPSyntaxError) in try SIPContact.validate(value) }
        switch (parsed, validated) {
        case (.success, .success): break
        case (.failure(let a), .failure(let b)): #expect(a.reason == b.reason)
        default: Issue.record("parse \(parsed), validate \(validated)")
        }
    }
}
