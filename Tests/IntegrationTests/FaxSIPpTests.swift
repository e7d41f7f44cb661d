import Foundation
import Testing

/// The SIP side of a fax's switch to T.38 (T.38 Annex D, RFC 3264 §8) against SIPp UAS
/// scenarios on 127.0.0.1: a far end that asks for T.38 gets sipdial's `m=image` answer; one
/// that refuses sipdial's offer with 488 leaves the fax on G.711 and the call up; glare is
/// refused with 491 and sipdial's offer retried until it succeeds. SIPp speaks no UDPTL, so
/// each fax gives up at `--timeout` and sipdial hangs up: what is checked is that SIPp saw
/// every message of its scenario (exit 0) and where sipdial's fax ended up.
@Suite(.serialized)
struct FaxSIPpTests {
    /// `fax send` to a fresh SIPp running `scenario`; sipdial's JSON and SIPp's exit status.
    func faxSIPp(_ scenario: String, _ args: [String]) async throws -> (status: Int32?, json: [String: Any], output: String) {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (sipp, port) = try await SIPp.listening(["-sf", SIPp.scenario(scenario), "-t", "u1", "-m", "1"], udp: true, in: dir)
        let (status, out) = try await SipdialBinary.run(["fax", "send", "sip:fax@127.0.0.1:\(port)", FaxCommandTests.document, "--json",
                                                         "--local-address", "127.0.0.1", "--rtp-timeout", "0"] + args, timeout: .seconds(40))
        let sippStatus = await sipp.wait(timeout: .seconds(20))
        #expect(sippStatus == 0, "SIPp (\(scenario)): \(sipp.text.suffix(800)) \(SIPp.errors(in: dir)) sipdial: \(out)")
        return (status, SipdialBinary.jsonObject(in: out), out)
    }

    static func fax(_ json: [String: Any]) -> [String: Any] { json["fax"] as? [String: Any] ?? [:] }

    @Test func theFarEndAsksForT38AndGetsAnImageAnswer() async throws {
        let r = try await faxSIPp("uas_t38_reinvite", ["--timeout", "4"])
        #expect(r.status == 1 && Self.fax(r.json)["success"] as? Bool == false, "\(r.output)")
        #expect(Self.fax(r.json)["transport"] as? String == "t38", "the fax moved to T.38: \(r.output)")
        #expect(r.json["hung_up_by"] as? String == "local", "\(r.output)")
    }

    @Test func aRefusedT38OfferKeepsTheFaxOnAudioAndTheCallUp() async throws {
        let r = try await faxSIPp("uas_t38_refused", ["--t38", "--timeout", "4"])
        #expect(Self.fax(r.json)["transport"] as? String == "audio", "\(r.output)")
        let talk = (r.json["times"] as? [String: Any])?["talk"] as? Double ?? 0
        #expect(talk >= 3.5 && r.json["hung_up_by"] as? String == "local", "the call stayed up until --timeout: \(r.output)")
    }

    @Test func glareIsRefusedWith491AndTheOfferRetriedUntilItSucceeds() async throws {
        let r = try await faxSIPp("uas_t38_glare", ["--t38", "--timeout", "8"])
        #expect(Self.fax(r.json)["transport"] as? String == "t38", "the retried offer moved the fax to T.38: \(r.output)")
        #expect(r.json["hung_up_by"] as? String == "local", "\(r.output)")
    }

    /// An INVITE that offers T.38 alone (SIPp as a gateway) is answered on T.38 by `fax
    /// receive`: SIPp checks the 200's `m=image`; the call ends with SIPp's BYE and the
    /// receiver reports a fax cut short over `t38`.
    @Test func anInviteOfferingT38AloneIsAnsweredOnT38() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (receiver, port) = try await FaxCommandTests.receiver(into: dir, ["--rtp-ports", "56000-56999"])
        defer { receiver.stop() }
        let sipp = try SIPp.start(["127.0.0.1:\(port)", "-sf", SIPp.scenario("uac_t38_invite"), "-m", "1", "-t", "u1"], localPort: Ports.free(), in: dir)
        let status = await sipp.wait(timeout: .seconds(30))
        #expect(status == 0, "sipp: \(sipp.text.suffix(600)) \(SIPp.errors(in: dir))")
        let fax = await FaxCommandTests.report(of: receiver)["fax"] as? [String: Any] ?? [:]
        #expect(fax["transport"] as? String == "t38" && fax["success"] as? Bool == false, "\(fax)")
    }
}
