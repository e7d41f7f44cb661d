import DialerEngine
import DialerStore
import Foundation
import Hummingbird

/// `/v1/cdrs`: call detail records by date range, campaign or SIP Call-ID, paged or as one
/// CSV file; `/v1/statistics`: the same filters counted by disposition.
struct CDRRoutes<Context: RequestContext> {
    let store: DialerStore

    /// A CDR in a response (`CDRJSON`'s fields).
    struct CDRBody: ResponseEncodable {
        let cdr: CDR

        func encode(to encoder: Encoder) throws { try CDRJSON(cdr).encode(to: encoder) }
    }

    /// A page of CDRs. Its keys are written snake_case already, so it is encoded without the
    /// API encoder's key conversion, which costs more than the rest of a page's encoding.
    struct Page: ResponseGenerator {
        var cdrs: [CDR]
        var nextCursor: String?

        struct Body: Encodable {
            let page: Page
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: APIKey.self)
                try c.encode(page.cdrs.map(CDRJSON.init), forKey: "cdrs")
                try c.encodeIfPresent(page.nextCursor, forKey: "next_cursor")
            }
        }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(Body(page: self)))))
        }
    }

    struct Statistics: ResponseEncodable {
        var statistics: CallStatistics
    }

    func add(to group: RouterGroup<Context>) {
        group.get("cdrs") { request, _ -> Page in
            let filter = try Self.filter(request)
            let limit = try PageLimit.read(request)
            let cdrs = try store.cdrs(filter, after: request.uri.queryParameters.get("cursor"), limit: limit)
            return Page(cdrs: cdrs, nextCursor: cdrs.count == limit ? cdrs.last?.id : nil)
        }
        group.get("cdrs.csv") { request, _ -> Response in
            let filter = try Self.filter(request)
            var csv = CDRCSV.header
            var cursor: String?
            repeat {
                let page = try store.cdrs(filter, after: cursor, limit: 1000)
                for cdr in page { csv += CDRCSV.row(cdr) }
                cursor = page.count == 1000 ? page.last?.id : nil
            } while cursor != nil
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"cdrs.csv\""],
                            body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        group.get("cdrs/:id") { _, context -> CDRBody in
            let id = try context.parameters.require("id")
            guard let cdr = try store.cdr(id: id) else { throw APIError.notFound("CDR", id: id) }
            return CDRBody(cdr: cdr)
        }
        for (route, what, file, type) in [("recording", "recording", \CDR.recording, "audio/wav"), ("amd_audio", "answering-machine audio", \CDR.amdAudio, "audio/wav"),
                                          ("fax", "received fax", \CDR.faxFile, "image/tiff")] {
            group.get("cdrs/:id/\(route)") { _, context -> Response in
                let id = try context.parameters.require("id")
                guard let path = try store.cdr(id: id)?[keyPath: file], let data = FileManager.default.contents(atPath: path) else {
                    throw APIError.notFound("\(what) of CDR", id: id)
                }
                return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
        group.get("statistics") { request, _ -> Statistics in
            Statistics(statistics: try store.statistics(try Self.filter(request)))
        }
    }

    /// `campaign_id`, `call_id` (the SIP Call-ID), `from` and `to` (ISO 8601) of the query.
    static func filter(_ request: Request) throws -> CDRFilter {
        let query = request.uri.queryParameters
        var filter = CDRFilter(campaignID: query.get("campaign_id"), sipCallID: query.get("call_id"))
        filter.from = try query.get("from").flatMap { try CampaignTime.read($0, zone: .gmt, field: "from") }
        filter.to = try query.get("to").flatMap { try CampaignTime.read($0, zone: .gmt, field: "to") }
        if let from = filter.from, let to = filter.to, to <= from { throw APIError.invalid("to", "must be after from") }
        return filter
    }
}

/// CDRs as CSV (RFC 4180): one header line, then a row per CDR; fields with a comma, quote
/// or line break are quoted, quotes doubled. The answering-machine detector's result is
/// spread over columns of its own (verdict, cause, decision time, the beep's end, when the
/// voicemail message started), and so is a fax's (T.30's result and code, pages sent and
/// received, transport), empty on calls that did not run them.
enum CDRCSV {
    static let header = "id,campaign_id,phone,trunk_id,sip_call_id,outcome,disposition,sip_code,q850_cause,reason,started_at,answered_at,ended_at,"
        + "talk_seconds,dtmf,answers,amd_verdict,amd_cause,amd_decision_ms,amd_beep_end_ms,amd_message_started_ms,"
        + "fax_success,fax_code,fax_pages_sent,fax_pages_received,fax_transport\r\n"

    static func row(_ cdr: CDR) -> String {
        let talk = cdr.answeredAt.map { String(format: "%.3f", cdr.endedAt - $0) } ?? "0"
        let fields: [String?] = [cdr.id, cdr.campaignId, cdr.phone, cdr.trunkId, cdr.sipCallId, cdr.outcome, cdr.disposition,
                                 cdr.sipCode.map(String.init), cdr.q850Cause.map(String.init), cdr.reason, UTCTime.iso8601(cdr.startedAt),
                                 UTCTime.iso8601(cdr.answeredAt), UTCTime.iso8601(cdr.endedAt), talk, cdr.dtmf, cdr.answers]
            + amdFields(cdr.amd) + faxFields(cdr.fax)
        return fields.map { escape($0 ?? "") }.joined(separator: ",") + "\r\n"
    }

    /// A JSON value as a CSV field: text as it is, numbers whole, booleans true/false.
    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s)?: s
        case .number(let n)?: String(Int(n))
        case .bool(let b)?: String(b)
        default: nil
        }
    }

    /// The CSV's five fax columns from the CDR's `fax` JSON.
    static func faxFields(_ json: String?) -> [String?] {
        guard case .object(let fax)? = json.flatMap(JSONValue.init(parsing:)) else { return [nil, nil, nil, nil, nil] }
        return [text(fax["success"]), text(fax["code"]), text(fax["pages_sent"]), text(fax["pages_received"]), text(fax["transport"])]
    }

    /// The CSV's five AMD columns from the CDR's `amd` JSON.
    static func amdFields(_ json: String?) -> [String?] {
        guard case .object(let amd)? = json.flatMap(JSONValue.init(parsing:)) else { return [nil, nil, nil, nil, nil] }
        let beepEnd: JSONValue? = if case .object(let beep)? = amd["beep"] { beep["end_ms"] } else { nil }
        return [text(amd["verdict"]), text(amd["cause"]), text(amd["decision_ms"]), text(beepEnd), text(amd["message_started_ms"])]
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
