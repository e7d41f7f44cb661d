import NIOCore
import SIPCore
import SIPUserAgent
import Testing

/// RFC 4028 session timers, RFC 3326 Q.850 reasons and the outcome mapping.
struct CallOutcomeTests {
    func response(_ code: Int, _ headers: [SIPHeaderField]) -> SIPResponse {
        var h = SIPHeaders()
        for f in headers { h.append(f.name, f.value) }
        return SIPResponse(statusCode: code, headers: h)
    }

    @Test func sessionTimerFromTwoHundred() {
        let uac = SessionTimer(answeredBy: response(200, [SIPHeaderField(.sessionExpires, "1800;refresher=uac")]))
        #expect(uac == SessionTimer(interval: 1800, weRefresh: true))
        #expect(uac?.refreshAfter == .seconds(900))
        let uas = SessionTimer(answeredBy: response(200, [SIPHeaderField(.sessionExpires, "90;refresher=uas")]))
        #expect(uas?.weRefresh == false)
        #expect(uas?.expiresAfter == .seconds(60), "90 - min(32, 90/3)")
        #expect(SessionTimer(answeredBy: response(200, [SIPHeaderField(.sessionExpires, "600")]))?.weRefresh == true)
        #expect(SessionTimer(answeredBy: response(200, [])) == nil)
    }

    @Test func q850ReadAndWritten() {
        let r = response(486, [SIPHeaderField(.reason, "SIP;cause=600, Q.850;cause=17;text=\"User \\\"busy\\\"\"")])
        #expect(Q850Cause(r.headers) == Q850Cause(17, text: "User \"busy\""))
        #expect(Q850Cause.normalClearing.description == "Q.850;cause=16;text=\"Normal call clearing\"")
        #expect(Q850Cause(response(480, []).headers) == nil)
    }

    @Test(arguments: [(486, "busy"), (600, "busy"), (408, "no-answer"), (480, "no-answer"), (404, "rejected"), (503, "rejected")])
    func outcomeOfFailure(_ code: Int, _ name: String) {
        #expect(CallOutcome(failure: response(code, [])).name == name)
    }
}
