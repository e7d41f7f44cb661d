import DialerStore
import Foundation
import Media

/// The RTP figures of a call as the CDR keeps them: JSON with snake_case keys.
extension CDR {
    /// The RTP figures `CallRecord.cdr` stored, read back.
    public var rtpStatistics: RTPStreamStatistics? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return rtp.flatMap { try? decoder.decode(RTPStreamStatistics.self, from: Data($0.utf8)) }
    }
}

extension JSONEncoder {
    static var snakeCase: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
