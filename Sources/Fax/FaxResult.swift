import Foundation

/// How a fax ended, from T.30 phase E only (never success by default): success, or the T.30
/// completion code and its text, with the transfer's figures.
public struct FaxResult: Sendable, Equatable, Codable {
    public var success: Bool
    /// spandsp's T.30 completion code (`T30_ERR_OK` is 0) and its text.
    public var code: Int
    public var text: String
    public var pagesSent: Int
    public var pagesReceived: Int
    /// Pages in the document sent (-1 when unknown).
    public var pagesInFile: Int
    public var bitRate: Int
    public var ecm: Bool
    /// Pixels per metre of the last page, its width and length in pixels.
    public var xResolution: Int
    public var yResolution: Int
    public var width: Int
    public var length: Int
    public var badRows: Int
    /// The far end's station ID (TSI or CSI).
    public var remoteStationID: String
    /// `t38` or `audio`.
    public var transport: String

    /// The result as JSON with snake_case keys, sorted (what the fax commands print and the
    /// simulator keeps beside a received fax).
    public var json: Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }
}
