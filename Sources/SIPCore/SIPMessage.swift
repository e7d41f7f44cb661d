/// A SIP request (RFC 3261 §7.1).
public struct SIPRequest: Sendable {
    public var method: SIPMethod { didSet { receivedRequestLine = nil } }
    public var headers: SIPHeaders
    public var body: [UInt8]
    /// The Request-Line as received, CRLF included, while method and URI are unchanged: the
    /// serializer copies it instead of writing the URI again.
    var receivedRequestLine: ArraySlice<UInt8>?
    /// The URI once built or set; nil while it is only `receivedURI`.
    private var builtURI: SIPURI?
    /// The Request-URI's bytes as received, already checked against the URI grammar.
    private var receivedURI: ArraySlice<UInt8>

    /// The Request-URI. A received one is checked when the message is parsed but built only
    /// when read, so forwarding or answering a request costs no URI strings.
    public var uri: SIPURI {
        get {
            if let builtURI { return builtURI }
            // Cannot fail: the parser validated these bytes with the same grammar.
            return receivedURI.withUnsafeBytes { try! SIPURI(bytes: $0) }
        }
        set {
            builtURI = newValue
            receivedRequestLine = nil
        }
    }

    public init(method: SIPMethod, uri: SIPURI, headers: SIPHeaders = [], body: [UInt8] = []) {
        self.method = method
        self.builtURI = uri
        self.receivedURI = []
        self.headers = headers
        self.body = body
    }

    /// A parsed request whose URI bytes passed `SIPURI.validate`.
    init(method: SIPMethod, receivedURI: ArraySlice<UInt8>, requestLine: ArraySlice<UInt8>?, headers: SIPHeaders, body: [UInt8]) {
        self.method = method
        self.builtURI = nil
        self.receivedURI = receivedURI
        self.receivedRequestLine = requestLine
        self.headers = headers
        self.body = body
    }
}

extension SIPRequest: Equatable {
    public static func == (a: SIPRequest, b: SIPRequest) -> Bool {
        a.method == b.method && a.uri == b.uri && a.headers == b.headers && a.body == b.body
    }
}

/// A SIP response (RFC 3261 §7.2).
public struct SIPResponse: Sendable, Equatable {
    public var statusCode: Int
    public var reasonPhrase: String
    public var headers: SIPHeaders
    public var body: [UInt8]

    public init(statusCode: Int, reasonPhrase: String? = nil, headers: SIPHeaders = [], body: [UInt8] = []) {
        self.statusCode = statusCode
        self.reasonPhrase = reasonPhrase ?? SIPResponse.defaultReason(statusCode)
        self.headers = headers
        self.body = body
    }

    /// 1xx (RFC 3261 §7.2).
    public var isProvisional: Bool { statusCode < 200 }
    public var isSuccess: Bool { (200..<300).contains(statusCode) }
    public var isFinal: Bool { statusCode >= 200 }

    /// The reason phrases of RFC 3261 §21 and the extensions sipdial answers with.
    public static func defaultReason(_ code: Int) -> String {
        switch code {
        case 100: "Trying"
        case 180: "Ringing"
        case 181: "Call Is Being Forwarded"
        case 182: "Queued"
        case 183: "Session Progress"
        case 200: "OK"
        case 202: "Accepted"
        case 300: "Multiple Choices"
        case 301: "Moved Permanently"
        case 302: "Moved Temporarily"
        case 380: "Alternative Service"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 407: "Proxy Authentication Required"
        case 408: "Request Timeout"
        case 410: "Gone"
        case 413: "Request Entity Too Large"
        case 414: "Request-URI Too Long"
        case 415: "Unsupported Media Type"
        case 416: "Unsupported URI Scheme"
        case 420: "Bad Extension"
        case 421: "Extension Required"
        case 422: "Session Interval Too Small"
        case 423: "Interval Too Brief"
        case 480: "Temporarily Unavailable"
        case 481: "Call/Transaction Does Not Exist"
        case 482: "Loop Detected"
        case 483: "Too Many Hops"
        case 484: "Address Incomplete"
        case 485: "Ambiguous"
        case 486: "Busy Here"
        case 487: "Request Terminated"
        case 488: "Not Acceptable Here"
        case 489: "Bad Event"
        case 491: "Request Pending"
        case 493: "Undecipherable"
        case 500: "Server Internal Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Server Time-out"
        case 505: "Version Not Supported"
        case 513: "Message Too Large"
        case 600: "Busy Everywhere"
        case 603: "Decline"
        case 604: "Does Not Exist Anywhere"
        case 606: "Not Acceptable"
        default: ""
        }
    }
}

/// A request or a response.
public enum SIPMessage: Sendable, Equatable {
    case request(SIPRequest)
    case response(SIPResponse)

    public var headers: SIPHeaders {
        switch self {
        case .request(let r): r.headers
        case .response(let r): r.headers
        }
    }

    public var body: [UInt8] {
        switch self {
        case .request(let r): r.body
        case .response(let r): r.body
        }
    }
}
