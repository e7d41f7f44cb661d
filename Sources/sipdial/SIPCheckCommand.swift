import ArgumentParser
import Foundation
import SIPCore

/// `sipdial sip check [FILE|-]`: parses one message and prints its structure and the answer
/// a UAS must give it (RFC 3261 §8.2), using the validator the UAS itself uses.
struct SIPCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Parse one SIP message and print its structure and verdict as JSON.",
        discussion: "Exit status: 0 well-formed, 1 malformed, 2 usage error."
    )

    @Argument(help: "File holding one message, or - for standard input.")
    var file: String = "-"

    func run() throws {
        let bytes: [UInt8]
        if file == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            bytes = Array(data)
        }
        let report = SIPCheckReport(bytes: bytes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(report)
        FileHandle.standardOutput.write(json + Data("\n".utf8))
        if !report.wellFormed { throw ExitCode(1) }
    }
}

/// The JSON document `sipdial sip check` prints.
struct SIPCheckReport: Encodable {
    struct Header: Encodable {
        var name: String
        var value: String
        var offset: Int?
    }

    struct Problem: Encodable {
        var message: String
        var header: String?
        var offset: Int?
        var malformed: Bool
    }

    struct ParseFailure: Encodable {
        var kind: String
        var offset: Int
        var message: String
    }

    var wellFormed: Bool
    var kind: String?
    var method: String?
    var requestURI: String?
    var statusCode: Int?
    var reasonPhrase: String?
    var headers: [Header] = []
    var bodyLength: Int?
    var error: ParseFailure?
    var problems: [Problem]
    var disposition: String
    var response: Int?

    init(bytes: [UInt8]) {
        let validator = SIPMessageValidator()
        let verdict: SIPVerdict
        do {
            let message = try SIPMessageParser().parseDatagram(bytes)
            verdict = validator.check(message)
            switch message {
            case .request(let r):
                kind = "request"
                method = r.method.rawValue
                requestURI = r.uri.description
            case .response(let r):
                kind = "response"
                statusCode = r.statusCode
                reasonPhrase = r.reasonPhrase
            }
            let h = message.headers
            headers = h.enumerated().map { Header(name: $1.name.name, value: $1.value, offset: h.offset(ofField: $0)) }
            bodyLength = message.body.count
        } catch {
            verdict = validator.check(error)
            self.error = ParseFailure(kind: error.kind.rawValue, offset: error.offset, message: error.detail)
            if let partial = error.partial {
                kind = partial.isRequest ? "request" : "response"
                method = partial.method?.rawValue
                let h = partial.headers
                headers = h.enumerated().map { Header(name: $1.name.name, value: $1.value, offset: h.offset(ofField: $0)) }
            }
        }
        wellFormed = verdict.isWellFormed
        problems = verdict.problems.map { Problem(message: $0.message, header: $0.header, offset: $0.offset, malformed: $0.malformed) }
        switch verdict.disposition {
        case .accept: disposition = "accept"
        case .reject(let status, _, _):
            disposition = "reject"
            response = status
        case .discard: disposition = "discard"
        }
    }

    enum CodingKeys: String, CodingKey {
        case wellFormed, kind, method, requestURI, statusCode, reasonPhrase, headers, bodyLength, error, problems, disposition, response
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(wellFormed, forKey: .wellFormed)
        try c.encodeIfPresent(kind, forKey: .kind)
        try c.encodeIfPresent(method, forKey: .method)
        try c.encodeIfPresent(requestURI, forKey: .requestURI)
        try c.encodeIfPresent(statusCode, forKey: .statusCode)
        try c.encodeIfPresent(reasonPhrase, forKey: .reasonPhrase)
        try c.encode(headers, forKey: .headers)
        try c.encodeIfPresent(bodyLength, forKey: .bodyLength)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encode(problems, forKey: .problems)
        try c.encode(disposition, forKey: .disposition)
        // "response" is always present: null when no error response is due.
        try c.encode(response, forKey: .response)
    }
}
