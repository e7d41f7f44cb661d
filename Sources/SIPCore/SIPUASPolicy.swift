/// What a user agent server accepts; drives the RFC 3261 §8.2 checks of
/// `SIPMessageValidator`. The defaults are sipdial's: a UA that handles calls, not a registrar.
public struct SIPUASPolicy: Sendable, Equatable {
    /// Methods answered; a known method outside this set gets 405 with Allow (§8.2.1).
    public var allowedMethods: [SIPMethod] = [
        .invite, .ack, .bye, .cancel, .options, .prack, .update, .info, .refer, .notify,
    ]
    /// Option tags understood in Require (§8.2.2.3).
    public var supportedOptionTags: Set<String> = ["100rel", "timer", "replaces", "norefersub"]
    /// Body types understood (§8.2.3), lower-case `type/subtype`.
    public var acceptedContentTypes: [String] = ["application/sdp", "application/dtmf-relay", "message/sipfrag"]
    /// Request-URI schemes served (§8.2.2.1).
    public var supportedSchemes: Set<String> = ["sip", "sips", "tel"]

    public init() {}

    public static let `default` = SIPUASPolicy()
}
