import SIPCore
import Testing

/// What the torture vectors say about individual fields, beyond the overall verdict.
struct TortureDetailTests {
    func parse(_ suite: String, _ name: String) throws -> SIPMessage {
        try SIPMessageParser().parseDatagram(TortureFixtures.bytes(suite, name))
    }

    func request(_ suite: String, _ name: String) throws -> SIPRequest {
        guard case .request(let r) = try parse(suite, name) else { throw SIPSyntaxError("not a request") }
        return r
    }

    @Test func wsinvUnfoldsAndReadsCompactForms() throws {
        let r = try request("rfc4475", "wsinv.dat")
        #expect(r.method == .invite)
        let from = try SIPAddress(parsing: r.headers[.from]!)
        #expect(from.tag != nil)
        let cseq = try CSeq(parsing: r.headers[.cseq]!)
        #expect(cseq.method == .invite)
        #expect(r.headers[.maxForwards] == "0068")
        #expect(r.headers.listValues(.via).count == 3)
        #expect(!r.headers[.to]!.contains("\r"))
    }

    @Test func esc01KeepsEscapesAndDecodesUser() throws {
        let r = try request("rfc4475", "esc01.dat")
        #expect(r.uri.user == "sips%3Auser%40example.com")
        #expect(r.uri.decodedUser == "sips:user@example.com")
        let to = try SIPAddress(parsing: r.headers[.to]!)
        #expect(to.uri.decodedUser == "user")
        guard case .addresses(let contacts) = try SIPContact(parsing: r.headers[.contact]!) else { Issue.record("no contact"); return }
        // value%41 is not valueA: the parameter keeps its escape.
        #expect(contacts[0].uri.parameters[parameter: "n%61me"] == .some("v%61lue%25%34%31"))
    }

    @Test func escnullKeepsNULInUser() throws {
        let r = try request("rfc4475", "escnull.dat")
        let to = try SIPAddress(parsing: r.headers[.to]!)
        #expect(to.uri.decodedUser?.contains("\u{0}") == true)
        #expect(r.headers.listValues(.contact).count == 2)
    }

    @Test func esc02HasTwoContactsNotThree() throws {
        let r = try request("rfc4475", "esc02.dat")
        #expect(r.headers.listValues(.contact).count == 2)
        #expect(r.headers.values(SIPHeaderName("C%6Fntact")).count == 1)
    }

    @Test func dblreqIgnoresTrailingOctets() throws {
        let r = try request("rfc4475", "dblreq.dat")
        #expect(r.method == .register)
        #expect(r.body.isEmpty)
    }

    @Test func semiuriUserHoldsSemicolon() throws {
        let r = try request("rfc4475", "semiuri.dat")
        #expect(r.uri.decodedUser == "user;par=u@example.net")
        #expect(r.uri.host == "example.com")
    }

    @Test func transportsAreAllRead() throws {
        let r = try request("rfc4475", "transports.dat")
        let transports = try r.headers.listValues(.via).map { try Via(parsing: $0).transport }
        #expect(transports.contains("SCTP") && transports.contains("TLS") && transports.contains("UDP") && transports.contains("TCP"))
    }

    @Test func mpart01KeepsBinaryBody() throws {
        let r = try request("rfc4475", "mpart01.dat")
        #expect(r.body.count == 553)
        #expect(r.body.contains(0))
    }

    @Test func responsesKeepReasonPhrases() throws {
        guard case .response(let unreason) = try parse("rfc4475", "unreason.dat") else { Issue.record(); return }
        #expect(unreason.statusCode == 200)
        #expect(unreason.reasonPhrase.unicodeScalars.contains { $0.value > 127 })
        guard case .response(let noreason) = try parse("rfc4475", "noreason.dat") else { Issue.record(); return }
        #expect(noreason.reasonPhrase == "")
    }

    @Test func bext01AnswersWithUnsupported() throws {
        let v = SIPMessageValidator().check(try parse("rfc4475", "bext01.dat"))
        guard case .reject(420, _, let headers) = v.disposition else { Issue.record("\(v)"); return }
        #expect(headers.first { $0.name == .unsupported }?.value == "nothingSupportsThis, nothingSupportsThisEither")
    }

    @Test func unknownMethodAnswerCarriesAllow() throws {
        let v = SIPMessageValidator().check(try parse("rfc4475", "intmeth.dat"))
        guard case .reject(501, _, let headers) = v.disposition else { Issue.record("\(v)"); return }
        #expect(headers.contains { $0.name == .allow && $0.value.contains("INVITE") })
    }

    @Test func unksm2ReadsForeignSchemes() throws {
        let r = try request("rfc4475", "unksm2.dat")
        #expect(try SIPAddress(parsing: r.headers[.to]!).uri.scheme == .other("isbn"))
        #expect(try SIPAddress(parsing: r.headers[.from]!).uri.scheme == .other("http"))
    }

    @Test func contactParametersStayWhereTheyBelong() throws {
        let c1 = try SIPAddress(parsing: try request("rfc4475", "cparam01.dat").headers[.contact]!)
        #expect(c1.parameters.contains(parameter: "unknownparam"))
        #expect(!c1.uri.parameters.contains(parameter: "unknownparam"))
        let c2 = try SIPAddress(parsing: try request("rfc4475", "cparam02.dat").headers[.contact]!)
        #expect(c2.uri.parameters.contains(parameter: "unknownparam"))
        let c3 = try SIPAddress(parsing: try request("rfc4475", "regescrt.dat").headers[.contact]!)
        #expect(c3.uri.headers.first?.name == "Route")
    }

    @Test func inv2543BodyIsRestOfDatagram() throws {
        let r = try request("rfc4475", "inv2543.dat")
        #expect(!r.headers.contains(.contentLength))
        #expect(String(decoding: r.body, as: UTF8.self).hasPrefix("v=0"))
        let via = try Via(parsing: r.headers.listValues(.via)[0])
        #expect(!via.hasRFC3261Branch)
    }

    @Test func ipv6ReferencesAndPorts() throws {
        #expect(try request("rfc5118", "ipv6-good.dat").uri.host == "[2001:db8::10]")
        let ambiguous = try request("rfc5118", "port-ambiguous.dat").uri
        #expect(ambiguous.host == "[2001:db8::10:5070]" && ambiguous.port == nil)
        let clear = try request("rfc5118", "port-unambiguous.dat").uri
        #expect(clear.host == "[2001:db8::10]" && clear.port == 5070)
        let header = try request("rfc5118", "mult-ip-in-header.dat")
        let vias = try header.headers.listValues(.via).map { try Via(parsing: $0) }
        #expect(vias.count == 3)
        #expect(vias.contains { $0.host.hasPrefix("[") && $0.port == 6050 })
        let tolerated = try request("rfc5118", "via-received-param-with-delim.dat")
        #expect(try Via(parsing: tolerated.headers.listValues(.via)[0]).received == "[2001:db8::9:255]")
        let plain = try request("rfc5118", "via-received-param-no-delim.dat")
        #expect(try Via(parsing: plain.headers.listValues(.via)[0]).received == "2001:db8::9:255")
    }
}
