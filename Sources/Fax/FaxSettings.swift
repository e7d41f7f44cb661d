/// What a fax terminal does (send a document or receive into a file) and how (T.30 and,
/// for T.38, the negotiated session): what both kinds of terminal are made with.
public enum FaxRole: Sendable {
    /// Sends the TIFF-F document at this path.
    case send(document: String)
    /// Writes what is received to a TIFF at this path.
    case receive(into: String)
}

public struct FaxSettings: Sendable {
    public var stationID = "sipdial"
    public var headerInfo: String?
    public var ecm = true
    /// T.38 only: the far end's `T38FaxMaxDatagram` (IFPs are kept below it), the version
    /// negotiated (0-3) and the TCF method.
    public var maxDatagram = 400
    public var version = 0
    public var rateManagement = RateManagement.transferredTCF

    public enum RateManagement: Sendable { case localTCF, transferredTCF }

    public init() {}
}
