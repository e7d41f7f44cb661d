import Foundation
import Media
import SIPUserAgent

/// How a call's outcome and RTP figures print: one JSON object (`--json`) or a text line.
extension CallResult {
    var jsonObject: [String: Any] {
        var object: [String: Any] = ["outcome": outcome.name, "provisionals": provisionals]
        object["sip_code"] = sipCode
        object["reason"] = reason
        object["hung_up_by"] = hungUpBy?.rawValue
        object["transfer_code"] = transferCode
        if let q = q850 { object["q850"] = ["cause": q.cause, "text": q.text as Any] }
        var times: [String: Double] = ["ended": ended]
        times["first_response"] = firstResponse
        times["ringing"] = ringing
        times["answered"] = answered
        times["talk"] = talkTime
        object["times"] = times
        return object
    }

    var textLine: String {
        var line = "outcome=\(outcome.name)"
        if let code = sipCode { line += " code=\(code)" }
        if let reason { line += " reason=\"\(reason)\"" }
        if let q = q850 { line += " q850=\(q.cause)" }
        if let by = hungUpBy { line += " hung-up-by=\(by.rawValue)" }
        if let code = transferCode { line += " transfer=\(code)" }
        if let talk = talkTime { line += String(format: " talk=%.3fs", talk) }
        return line
    }
}

extension RTPStreamStatistics {
    var jsonObject: [String: Any] {
        var o: [String: Any] = ["packets_sent": packetsSent, "octets_sent": octetsSent, "packets_received": packetsReceived,
                                "octets_received": octetsReceived, "packets_lost": packetsLost,
                                "jitter_ms": jitterMilliseconds, "packets_dropped": packetsDropped]
        o["remote"] = remote
        o["rtcp_sent"] = rtcpSent
        o["rtcp_received"] = rtcpReceived
        o["rtt_ms"] = rttMilliseconds
        o["srtp"] = srtp
        return o
    }

    var textLine: String {
        "rtp sent=\(packetsSent) received=\(packetsReceived) lost=\(packetsLost) jitter=\(jitterMilliseconds)ms dropped=\(packetsDropped) remote=\(remote ?? "-")\(srtp.map { " srtp=\($0)" } ?? "")"
    }
}

/// Output of the one-shot commands: results on standard output at once (progress must show
/// while a call runs), problems on standard error prefixed with the command's name. A reader
/// that went away (`sipdial loadtest | head`) loses the output, and the command goes on.
enum Console {
    static func say(_ line: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
    }

    static func json(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        say(String(decoding: data, as: UTF8.self))
    }

    static func error(_ command: String, _ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data(("sipdial \(command): " + message + "\n").utf8))
    }
}
