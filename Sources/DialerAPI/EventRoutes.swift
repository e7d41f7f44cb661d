import DialerEngine
import HTTPTypes
import Hummingbird

/// `GET /v1/events`: every call's events as server-sent events (the HTML living standard's
/// `text/event-stream`): `id:` the event's number, `event:` its name (initiated, ringing,
/// answered, amd, amd_revised, fax, completed; campaign_progress after each campaign call),
/// `data:` the JSON a status callback carries (the CDR with `completed`). `?campaign_id=` and `?call_id=` filter; a `Last-Event-ID`
/// header (or `?last_event_id=`) resumes after that event from the log's bounded buffer, and
/// an `event: gap` says when some were already dropped. A comment line goes out every
/// 15 s while nothing happens, so a client that went away is noticed.
struct EventRoutes<Context: RequestContext> {
    let log: CallEventLog?

    func add(to group: RouterGroup<Context>) {
        group.get("events") { request, _ -> Response in
            guard let log else { throw APIError(.serviceUnavailable, code: "dialer_unavailable", message: "the dialer is not running in this process") }
            let query = request.uri.queryParameters
            let campaignID = query.get("campaign_id"), callID = query.get("call_id")
            let lastText = request.headers[Self.lastEventID] ?? query.get("last_event_id")
            var lastID: Int?
            if let lastText {
                guard let id = Int(lastText), id >= 0 else { throw APIError.invalid("last_event_id", "must be the number of an event") }
                lastID = id
            }
            let (backlog, gap, deliveries) = log.subscribe(after: lastID)
            let wanted: @Sendable (CallEventLog.Entry) -> Bool = { entry in
                (campaignID == nil || entry.campaignID == campaignID) && (callID == nil || entry.callID == callID)
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                // A first comment sends the headers at once: the client knows it is connected.
                try await writer.write(ByteBuffer(string: ": sipdial call events\n\n"))
                if gap { try await writer.write(ByteBuffer(string: "event: gap\ndata: {}\n\n")) }
                for entry in backlog where wanted(entry) { try await writer.write(ByteBuffer(string: Self.frame(entry))) }
                for await delivery in deliveries {
                    switch delivery {
                    case .event(let entry) where wanted(entry): try await writer.write(ByteBuffer(string: Self.frame(entry)))
                    case .event: break
                    case .heartbeat: try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    }
                }
                try await writer.finish(nil)
            })
        }
    }

    static var lastEventID: HTTPField.Name { HTTPField.Name("Last-Event-ID")! }

    /// One event in the stream's format; the JSON is one line.
    static func frame(_ entry: CallEventLog.Entry) -> String {
        "id: \(entry.id)\nevent: \(entry.name)\ndata: \(entry.json)\n\n"
    }
}
