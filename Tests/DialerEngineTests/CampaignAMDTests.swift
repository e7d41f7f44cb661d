import Testing
@testable import DialerEngine

/// A campaign's answering-machine detection: the setting reads (each problem names its
/// field) and puts the `amd` verb in front of the campaign's flow with each verdict's verbs.
struct CampaignAMDTests {
    let flow = CallFlow([.say(CallFlow.Speech(text: "Hello, this is the clinic")), .hangup])

    func step(_ flow: CallFlow) throws -> CallFlow.AMDStep {
        guard flow.verbs.count == 1, case .amd(let step) = flow.verbs[0] else { throw CallFlow.Invalid(field: "flow", message: "\(flow.verbs)") }
        return step
    }

    @Test func voicemailWaitsForTheBeepLeavesTheMessageAndHangsUp() throws {
        let amd = try CampaignAMD(json: """
            {"machine_action": "voicemail", "voicemail": [{"verb": "say", "text": "Please call the clinic back"}], "timeout": 6, "beep_timeout": 20,
             "keep_audio": true}
            """)
        let step = try step(amd.flow(around: flow))
        #expect(step.timeout == 6 && step.keepAudio)
        #expect(step.verbs(for: "machine") == [.waitForBeep(timeout: 20), .say(CallFlow.Speech(text: "Please call the clinic back")), .hangup])
        for verdict in ["human", "notsure", "silence"] { #expect(step.verbs(for: verdict) == flow.verbs, "\(verdict)") }
        #expect(step.verbs(for: "fax") == [.hangup])
    }

    @Test func hangupAndContinue() throws {
        let hangup = try step(CampaignAMD(json: #"{"machine_action": "hangup"}"#).flow(around: flow))
        #expect(hangup.verbs(for: "machine") == [.hangup] && hangup.timeout == 8 && !hangup.keepAudio)
        let carryOn = try step(CampaignAMD(json: #"{"machine_action": "continue"}"#).flow(around: flow))
        #expect(carryOn.verbs(for: "machine") == flow.verbs && carryOn.verbs(for: "human") == flow.verbs)
    }

    @Test func eachProblemNamesItsField() {
        let cases: [(String, String, String)] = [
            ("[]", "amd", "must be an object with machine_action, or false"),
            ("{}", "amd.machine_action", "is missing"),
            (#"{"machine_action": "drop"}"#, "amd.machine_action", "must be one of hangup, voicemail, continue"),
            (#"{"machine_action": "voicemail"}"#, "amd.voicemail", "is missing"),
            (#"{"machine_action": "voicemail", "voicemail": []}"#, "amd.voicemail", "must have at least one verb"),
            (#"{"machine_action": "voicemail", "voicemail": {"verb": "hangup"}}"#, "amd.voicemail", "must be a list of verbs"),
            (#"{"machine_action": "voicemail", "voicemail": [{"verb": "say"}]}"#, "amd.voicemail[0].text", "is missing"),
            (#"{"machine_action": "hangup", "voicemail": [{"verb": "hangup"}]}"#, "amd.voicemail", "applies only to machine_action voicemail"),
            (#"{"machine_action": "hangup", "timeout": 1}"#, "amd.timeout", "must be from 2.0 to 30.0"),
            (#"{"machine_action": "voicemail", "voicemail": [{"verb": "say", "text": "x"}], "beep_timeout": "long"}"#, "amd.beep_timeout", "must be a number"),
        ]
        for (json, field, message) in cases {
            #expect(throws: CallFlow.Invalid(field: field, message: message), "\(json)") { try CampaignAMD(json: json) }
        }
    }

    @Test func aVoicemailRecordingMustExist() {
        #expect(throws: CallFlow.Invalid(field: "amd.voicemail[0].recording", message: "names no recording")) {
            try CampaignAMD(json: #"{"machine_action": "voicemail", "voicemail": [{"verb": "play", "recording": "nope"}]}"#, exists: { _, _ in false })
        }
    }
}
