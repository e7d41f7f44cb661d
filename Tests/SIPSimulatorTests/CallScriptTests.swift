import SIPSimulator
import Testing

struct CallScriptTests {
    @Test(arguments: [
        ("answer", CallScript()),
        ("busy,after=2", CallScript(outcome: .busy, ringSeconds: 2)),
        ("no-answer", CallScript(outcome: .noAnswer)),
        ("reject=503", CallScript(outcome: .reject(503))),
        ("answer,after=1.5,hangup=10,dtmf=12#,early-media", CallScript(ringSeconds: 1.5, hangUpAfter: 10, digits: "12#", earlyMedia: true)),
        ("answer,after=2,greeting=machine", CallScript(ringSeconds: 2, greeting: "machine")),
        ("answer,after=1,fax", { var script = CallScript(ringSeconds: 1); script.fax = true; return script }()),
        ("answer,after=1,hangup=20-60", { var script = CallScript(ringSeconds: 1, hangUpAfter: 20); script.hangUpLatest = 60; return script }()),
    ])
    func scriptsReadAndWriteBack(text: String, script: CallScript) throws {
        #expect(try CallScript(parsing: text) == script)
        #expect(script.description == text)
    }

    @Test(arguments: [
        ("ring", "starts with an outcome"),
        ("reject=200", "final status code 300-699"),
        ("reject=abc", "final status code"),
        ("answer,after=-1", "after takes seconds"),
        ("answer,dtmf=12x", "dtmf takes digits"),
        ("answer,loud", "unknown option 'loud'"),
        ("answer,greeting=", "greeting takes human, machine or a WAV file"),
        ("answer,hangup=60-20", "hangup takes seconds (0-86400) or LOW-HIGH"),
        ("answer,hangup=x-5", "hangup takes seconds (0-86400) or LOW-HIGH"),
    ])
    func badScriptsSayWhatIsWrong(text: String, problem: String) {
        #expect(throws: CallScript.SyntaxError.self) { try CallScript(parsing: text) }
        do { _ = try CallScript(parsing: text) } catch {
            #expect(error.description.contains(problem) && error.description.contains(text), "\(error)")
        }
    }

    @Test func theBookListsEveryGreetingItsScriptsName() throws {
        let book = CallScriptBook(byNumber: ["1": CallScript(greeting: "human")],
                                  mix: [(1, CallScript(greeting: "machine")), (1, CallScript(greeting: "human")), (1, CallScript())])
        #expect(book.greetings == ["human", "machine"])
        #expect(CallScriptBook().greetings.isEmpty)
    }

    /// A fixed sequence of numbers, so the weighted choice can be checked.
    struct Sequence: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func numbersWinOverTheMixWhichFollowsItsWeights() {
        let book = CallScriptBook(byNumber: ["100": CallScript(outcome: .busy)],
                                  mix: [(70, CallScript()), (20, CallScript(outcome: .noAnswer)), (10, CallScript(outcome: .reject(503)))])
        var random = Sequence(state: 42)
        #expect(book.script(for: "100", using: &random).outcome == .busy)
        var counts: [String: Int] = [:]
        for _ in 0..<10_000 { counts[book.script(for: "200", using: &random).description, default: 0] += 1 }
        #expect((6_700...7_300).contains(counts["answer"] ?? 0), "\(counts)")
        #expect((1_800...2_200).contains(counts["no-answer"] ?? 0), "\(counts)")
        #expect((850...1_150).contains(counts["reject=503"] ?? 0), "\(counts)")
    }

    @Test func withoutAMixTheFallbackAnswers() {
        let book = CallScriptBook(fallback: CallScript(ringSeconds: 3))
        #expect(book.script(for: "anyone") == CallScript(ringSeconds: 3))
        #expect(book.script(for: nil) == CallScript(ringSeconds: 3))
    }

    /// People's calls end at spread-out times: `hangup=LOW-HIGH` draws each call's time from
    /// the range (and reaches both halves of it), a single value is that value.
    @Test func aHangUpRangeDrawsEachCallsTimeFromIt() throws {
        let range = try CallScript(parsing: "answer,hangup=20-60")
        let delays = (0..<200).compactMap { _ in range.hangUpDelay() }
        #expect(delays.count == 200 && delays.allSatisfy { (20...60).contains($0) })
        #expect(delays.contains { $0 < 40 } && delays.contains { $0 > 40 })
        #expect(try CallScript(parsing: "answer,hangup=5").hangUpDelay() == 5)
        #expect(try CallScript(parsing: "answer").hangUpDelay() == nil)
    }
}
