import DialerEngine
import Foundation
import Testing

/// `/v1/trunks` over a real socket: create, list, read, partial update, delete; the password
/// is accepted and never returned; bad fields are 400s naming the field; a taken name is 409.
@Suite(.serialized)
struct TrunkRoutesTests {
    static let carrier = #"{"name": "carrier", "host": "sip.example.com", "port": 5061, "transport": "tcp", "username": "acme", "password": "s3cret", "register": true, "codecs": ["pcma", "opus"], "max_concurrent": 30, "weight": 2}"#

    @Test func aTrunkGoesThroughItsWholeLifeWithoutItsPasswordEverComingBack() async throws {
        try await RESTTests.withServer { base, token, _ in
            let trunks = base.appendingPathComponent("v1/trunks")
            let (status, created) = try await RESTTests.send("POST", trunks, token: token, json: Self.carrier)
            #expect(status == 201, "\(created)")
            #expect(created["has_password"] as? Bool == true && created["password"] == nil)
            #expect(created["codecs"] as? [String] == ["pcma", "opus"] && created["register"] as? Bool == true)
            let id = try #require(created["id"] as? String)
            let one = trunks.appendingPathComponent(id)

            let (patched, updated) = try await RESTTests.send("PATCH", one, token: token, json: #"{"max_concurrent": 10, "add_prefix": "+1"}"#)
            #expect(patched == 200 && updated["max_concurrent"] as? Int == 10 && updated["add_prefix"] as? String == "+1")
            #expect(updated["host"] as? String == "sip.example.com" && updated["weight"] as? Int == 2, "fields not sent keep their values")

            let (listed, list) = try await RESTTests.send("GET", trunks, token: token)
            let all = list["trunks"] as? [[String: Any]] ?? []
            #expect(listed == 200 && all.count == 1 && all.allSatisfy { $0["password"] == nil })

            let (deleted, _) = try await RESTTests.send("DELETE", one, token: token)
            #expect(deleted == 204)
            let (gone, body) = try await RESTTests.send("GET", one, token: token)
            #expect(gone == 404 && RESTTests.error(body).code == "not_found")
            let (again, _) = try await RESTTests.send("DELETE", one, token: token)
            #expect(again == 404)
        }
    }

    @Test func aSecondTrunkWithTheSameNameIsAConflict() async throws {
        try await RESTTests.withServer { base, token, _ in
            let trunks = base.appendingPathComponent("v1/trunks")
            _ = try await RESTTests.send("POST", trunks, token: token, json: Self.carrier)
            let (status, body) = try await RESTTests.send("POST", trunks, token: token, json: Self.carrier)
            #expect(status == 409 && RESTTests.error(body).code == "conflict" && RESTTests.error(body).field == "name", "\(body)")
        }
    }

    @Test(arguments: [
        (#"{"host": "sip.example.com"}"#, "missing_field", "name"),
        (#"{"name": "t"}"#, "missing_field", "host"),
        (#"{"name": "t", "host": "sip://x.example.com"}"#, "invalid_field", "host"),
        (#"{"name": "t", "host": "x.example.com", "port": 70000}"#, "invalid_field", "port"),
        (#"{"name": "t", "host": "x.example.com", "port": "5060"}"#, "invalid_field", "port"),
        (#"{"name": "t", "host": "x.example.com", "transport": "sctp"}"#, "invalid_field", "transport"),
        (#"{"name": "t", "host": "x.example.com", "codecs": ["g729"]}"#, "invalid_field", "codecs"),
        (#"{"name": "t", "host": "x.example.com", "codecs": []}"#, "invalid_field", "codecs"),
        (#"{"name": "t", "host": "x.example.com", "register": true}"#, "invalid_field", "username"),
        (#"{"name": "t", "host": "x.example.com", "register": true, "username": "u"}"#, "invalid_field", "password"),
        (#"{"name": "t", "host": "x.example.com", "weight": 0}"#, "invalid_field", "weight"),
        (#"{"name": "t", "host": "x.example.com", "transport": "tls", "srtp": "mandatory"}"#, "invalid_field", "srtp"),
        (#"{"name": "t", "host": "x.example.com", "srtp": "required"}"#, "invalid_field", "srtp"),
    ])
    func badTrunksAre400NamingTheField(json: String, code: String, field: String) async throws {
        try await RESTTests.withServer { base, token, _ in
            let (status, body) = try await RESTTests.send("POST", base.appendingPathComponent("v1/trunks"), token: token, json: json)
            #expect(status == 400 && RESTTests.error(body).code == code && RESTTests.error(body).field == field, "\(body)")
        }
    }

    /// SRTP's SDES keys travel in the SDP, so a trunk takes SRTP over tls, or over udp/tcp
    /// only when told so; the policy reaches the calls' route.
    @Test func srtpNeedsTLSUnlessPlainSignalingIsAllowed() async throws {
        try await RESTTests.withServer { base, token, store in
            let trunks = base.appendingPathComponent("v1/trunks")
            let (status, created) = try await RESTTests.send("POST", trunks, token: token,
                                                             json: #"{"name": "secure", "host": "x.example.com", "transport": "tls", "srtp": "required"}"#)
            #expect(status == 201 && created["srtp"] as? String == "required" && created["srtp_plain_signaling"] as? Bool == false, "\(created)")
            let id = try #require(created["id"] as? String)
            let (refused, body) = try await RESTTests.send("PATCH", trunks.appendingPathComponent(id), token: token, json: #"{"transport": "udp"}"#)
            #expect(refused == 400 && RESTTests.error(body).field == "srtp", "\(body)")
            let (allowed, patched) = try await RESTTests.send("PATCH", trunks.appendingPathComponent(id), token: token,
                                                              json: #"{"transport": "udp", "srtp": "optional", "srtp_plain_signaling": true}"#)
            #expect(allowed == 200 && patched["srtp"] as? String == "optional", "\(patched)")
            let route = TrunkRoute(try #require(try store.trunk(id: id)))
            #expect(route.srtp == .optional && route.srtpKeys()?.required == false)
        }
    }

    @Test func theStoreKeepsThePasswordForDigestAuthentication() async throws {
        try await RESTTests.withServer { base, token, store in
            let (_, created) = try await RESTTests.send("POST", base.appendingPathComponent("v1/trunks"), token: token, json: Self.carrier)
            let id = try #require(created["id"] as? String)
            #expect(try store.trunk(id: id)?.password == "s3cret")
        }
    }
}
