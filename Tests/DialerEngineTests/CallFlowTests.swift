import Testing
@testable import DialerEngine

struct CallFlowTests {
    @Test func theDocumentedExampleReads() throws {
        let flow = try CallFlow(json: """
            [{"verb": "say", "text": "Hello {first_name}, your code is {code}", "voice": "en-us", "repeat": 2, "digit_by_digit": false},
             {"verb": "gather", "max_digits": 1, "timeout": 5, "retries": 2, "name": "rating",
              "prompt": {"verb": "say", "text": "Press 1 for yes, 2 for no"},
              "branches": {"1": [{"verb": "say", "text": "Thank you"}], "2": [{"verb": "hangup"}]}},
             {"verb": "pause", "seconds": 1.5},
             {"verb": "play", "recording": "r1"},
             {"verb": "record", "max_seconds": 20},
             {"verb": "transfer", "to": "+15550100"},
             {"verb": "dial", "to": "+15550100200", "ring_timeout": 30},
             {"verb": "hangup"}]
            """)
        #expect(flow.verbs.count == 8)
        #expect(flow.verbs[6] == .dial(to: "+15550100200", ringTimeout: 30))
        guard case .say(let speech) = flow.verbs[0], case .gather(let gather) = flow.verbs[1] else {
            Issue.record("verbs out of order: \(flow.verbs)")
            return
        }
        #expect(speech.repeatCount == 2 && speech.text.hasPrefix("Hello {first_name}"))
        #expect(gather.name == "rating" && gather.retries == 2 && gather.terminator == "#" && gather.prompt.count == 1)
        #expect(gather.branches["2"] == [.hangup])
        #expect(flow.verbs[2] == .pause(seconds: 1.5))
        #expect(flow.recordings == ["r1"])
        #expect(flow.records)
    }

    @Test func verbsInsideGathersCount() throws {
        let nested = try CallFlow(json: """
            [{"verb": "gather", "prompt": [{"verb": "play", "recording": "menu"}],
              "branches": {"1": [{"verb": "record"}], "2": [{"verb": "gather", "branches": {"9": [{"verb": "transfer", "to": "+15550100"}]}}]}}]
            """)
        #expect(nested.recordings == ["menu"] && nested.records && nested.transfers)
        let plain = try CallFlow(json: #"[{"verb": "say", "text": "hi"}, {"verb": "hangup"}]"#)
        #expect(plain.recordings.isEmpty && !plain.records && !plain.transfers)
    }

    @Test(arguments: [
        ("{}", "flow"),
        (#"[{"text": "hi"}]"#, "flow[0].verb"),
        (#"[{"verb": "sing"}]"#, "flow[0].verb"),
        (#"[{"verb": "hangup"}, {"verb": "say"}]"#, "flow[1].text"),
        (#"[{"verb": "say", "text": "hi", "repeat": 0}]"#, "flow[0].repeat"),
        (#"[{"verb": "say", "text": "hi", "rate": "fast"}]"#, "flow[0].rate"),
        (#"[{"verb": "gather", "max_digits": 1.5}]"#, "flow[0].max_digits"),
        (#"[{"verb": "gather", "terminator": "x"}]"#, "flow[0].terminator"),
        (#"[{"verb": "gather", "branches": {"1": [{"verb": "play"}]}}]"#, "flow[0].branches.1[0].recording"),
        (#"[{"verb": "gather", "prompt": [{"verb": "pause", "seconds": 999}]}]"#, "flow[0].prompt[0].seconds"),
        (#"[{"verb": "transfer"}]"#, "flow[0].to"),
        (#"[{"verb": "dial"}]"#, "flow[0].to"),
        (#"[{"verb": "dial", "to": "+15550100", "ring_timeout": 1}]"#, "flow[0].ring_timeout"),
        (#"[{"verb": "say", "text": "x", "digit_by_digit": 1}]"#, "flow[0].digit_by_digit"),
    ])
    func problemsNameTheirPath(json: String, field: String) {
        #expect { try CallFlow(json: json) } throws: { ($0 as? CallFlow.Invalid)?.field == field }
    }

    @Test func amdBranchesByVerdictAndNotsureFallsBackOnHuman() throws {
        let flow = try CallFlow(json: """
            [{"verb": "amd", "timeout": 6, "on_human": [{"verb": "say", "text": "Hi"}],
              "on_machine": [{"verb": "wait_for_beep", "timeout": 20}, {"verb": "play", "recording": "r9"}],
              "on_fax": [{"verb": "hangup"}]}]
            """)
        guard case .amd(let step) = flow.verbs.first else {
            Issue.record("\(flow.verbs)")
            return
        }
        #expect(step.timeout == 6)
        #expect(step.verbs(for: "machine") == [.waitForBeep(timeout: 20), .play(recording: "r9", repeatCount: 1)])
        #expect(step.verbs(for: "notsure") == step.verbs(for: "human") && step.verbs(for: "human").count == 1)
        #expect(step.verbs(for: "silence").isEmpty && step.verbs(for: "fax") == [.hangup])
        #expect(flow.recordings == ["r9"], "verbs inside amd branches count")
        #expect(throws: CallFlow.Invalid(field: "flow[0].on_machine", message: "must be a list of verbs")) {
            try CallFlow(json: #"[{"verb": "amd", "on_machine": {"verb": "hangup"}}]"#)
        }
        #expect(throws: CallFlow.Invalid(field: "flow[0].timeout", message: "must be from 2.0 to 30.0")) {
            try CallFlow(json: #"[{"verb": "amd", "timeout": 90}]"#)
        }
    }

    @Test func playNeedsARecordingThatExists() {
        #expect { try CallFlow(json: #"[{"verb": "play", "recording": "gone"}]"#, exists: { $1 == "r1" }) } throws: {
            ($0 as? CallFlow.Invalid) == CallFlow.Invalid(field: "flow[0].recording", message: "names no recording")
        }
    }

    @Test func faxVerbsTakeTheirOptionsNameAStoredDocumentAndEndTheFlow() throws {
        let flow = try CallFlow(json: #"[{"verb": "fax", "document": "d1", "transport": "t38", "ecm": false, "station_id": "+1 555 0100", "header": "Acme"}]"#,
                                exists: { $0 == .document && $1 == "d1" })
        var step = CallFlow.FaxStep()
        (step.transport, step.ecm, step.stationID, step.header) = ("t38", false, "+1 555 0100", "Acme")
        #expect(flow.verbs == [.fax(document: "d1", step)])
        #expect(try CallFlow(json: #"[{"verb": "receive_fax"}]"#).verbs == [.receiveFax(CallFlow.FaxStep())])
        #expect(try CallFlow(json: #"[{"verb": "receive_fax"}, {"verb": "hangup"}]"#).verbs == [.receiveFax(CallFlow.FaxStep()), .hangup])
        for (json, field) in [(#"[{"verb": "fax"}]"#, "flow[0].document"), (#"[{"verb": "fax", "document": "gone"}]"#, "flow[0].document"),
                              (#"[{"verb": "fax", "document": "d1", "transport": "modem"}]"#, "flow[0].transport"),
                              (#"[{"verb": "receive_fax", "station_id": "a station id far too long"}]"#, "flow[0].station_id"),
                              (#"[{"verb": "fax", "document": "d1"}, {"verb": "say", "text": "never heard"}]"#, "flow[1]"),
                              (#"[{"verb": "amd", "on_fax": [{"verb": "receive_fax"}, {"verb": "pause"}]}]"#, "flow[0].on_fax[1]")] {
            #expect { try CallFlow(json: json, exists: { $1 == "d1" }) } throws: { ($0 as? CallFlow.Invalid)?.field == field }
        }
    }

    @Test func placeholdersAreFilledAndUnknownOnesKept() {
        let fields = ["first_name": "Ada", "code": "4711"]
        #expect(Placeholders.fill("Hi {first_name}, code {code}.", with: fields) == "Hi Ada, code 4711.")
        #expect(Placeholders.fill("Hi {frist_name}", with: fields) == "Hi {frist_name}")
        #expect(Placeholders.fill("{code}{code} {", with: fields) == "47114711 {")
    }
}
