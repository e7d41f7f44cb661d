import Foundation

/// A campaign's answering-machine detection (issue #22 item 4): every call of the campaign
/// starts with the `amd` verb. A person, an unsure verdict and silence hear the campaign's
/// flow; a machine is hung up on, left the voicemail message after its beep, or hears the
/// flow as a person would (`continue`); a fax machine is hung up on. Stored as JSON:
///
/// ```json
/// {"machine_action": "voicemail", "voicemail": [{"verb": "say", "text": "Please call us back"}],
///  "timeout": 8, "beep_timeout": 30, "keep_audio": false}
/// ```
public struct CampaignAMD: Sendable, Equatable {
    public enum MachineAction: String, Sendable, CaseIterable {
        case hangup, voicemail, `continue`
    }

    public var machineAction: MachineAction
    /// The message left on a machine (`voicemail`): verbs run after the beep.
    public var voicemail: [CallFlow.Verb] = []
    /// The `amd` verb's timeout: the verdict comes by then at the latest.
    public var timeout = 8.0
    /// How long to wait for the beep before the message starts anyway.
    public var beepTimeout = 30.0
    /// Keep what the detector heard as each CDR's `amd_audio`.
    public var keepAudio = false

    public init(machineAction: MachineAction, voicemail: [CallFlow.Verb] = []) {
        (self.machineAction, self.voicemail) = (machineAction, voicemail)
    }

    /// Reads the setting from its JSON object; a problem names its field (`amd.voicemail[0].text`).
    public init(json: String, exists: (CallFlow.Stored, String) -> Bool = { _, _ in true }) throws(CallFlow.Invalid) {
        guard case .object(let object)? = JSONValue(parsing: json) else {
            throw CallFlow.Invalid(field: "amd", message: "must be an object with machine_action, or false")
        }
        let fields = FlowFields(object: object, path: "amd")
        let actions = MachineAction.allCases.map(\.rawValue).joined(separator: ", ")
        guard let name = try fields.string("machine_action") else { throw CallFlow.Invalid(field: "amd.machine_action", message: "is missing") }
        guard let action = MachineAction(rawValue: name) else {
            throw CallFlow.Invalid(field: "amd.machine_action", message: "must be one of \(actions)")
        }
        self.init(machineAction: action)
        timeout = try fields.number("timeout", in: 2...30) ?? timeout
        beepTimeout = try fields.number("beep_timeout", in: 1...120) ?? beepTimeout
        keepAudio = try fields.bool("keep_audio") ?? false
        switch (action, object["voicemail"]) {
        case (.voicemail, nil), (.voicemail, .null?):
            throw CallFlow.Invalid(field: "amd.voicemail", message: "is missing")
        case (.voicemail, .array(let list)?):
            var counter = 0
            voicemail = try CallFlow.verbs(list, path: "amd.voicemail", gatherCounter: &counter, exists: exists)
            guard !voicemail.isEmpty else { throw CallFlow.Invalid(field: "amd.voicemail", message: "must have at least one verb") }
        case (.voicemail, _?):
            throw CallFlow.Invalid(field: "amd.voicemail", message: "must be a list of verbs")
        case (_, nil), (_, .null?):
            break
        case (_, _?):
            throw CallFlow.Invalid(field: "amd.voicemail", message: "applies only to machine_action voicemail")
        }
    }

    /// The campaign's flow with detection in front of it.
    public func flow(around flow: CallFlow) -> CallFlow {
        var step = CallFlow.AMDStep(timeout: timeout)
        step.keepAudio = keepAudio
        step.branches["human"] = flow.verbs
        step.branches["silence"] = flow.verbs
        step.branches["fax"] = [.hangup]
        switch machineAction {
        case .hangup: step.branches["machine"] = [.hangup]
        case .voicemail: step.branches["machine"] = [.waitForBeep(timeout: beepTimeout)] + voicemail + [.hangup]
        case .continue: step.branches["machine"] = flow.verbs
        }
        return CallFlow([.amd(step)])
    }
}
