import CSpanDSP

/// Fax tones in received audio through spandsp's modem connect-tone receivers (ITU-T T.30
/// §5.2): CNG, the calling fax's 1,100 Hz beeps, and CED (2,100 Hz) or the V.21 preamble of a
/// fax machine that answered.
package final class FaxToneDetector {
    package enum Tone: String { case cng, ced }

    private let cng: OpaquePointer
    private let ced: OpaquePointer

    package init() {
        cng = modem_connect_tones_rx_init(nil, Int32(MODEM_CONNECT_TONES_FAX_CNG), nil, nil)
        ced = modem_connect_tones_rx_init(nil, Int32(MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE), nil, nil)
    }

    deinit {
        modem_connect_tones_rx_free(cng)
        modem_connect_tones_rx_free(ced)
    }

    /// Takes one frame; the tone once one is heard.
    package func process(_ samples: UnsafeBufferPointer<Int16>) -> Tone? {
        guard let base = samples.baseAddress, !samples.isEmpty else { return nil }
        _ = modem_connect_tones_rx(cng, base, Int32(samples.count))
        _ = modem_connect_tones_rx(ced, base, Int32(samples.count))
        if modem_connect_tones_rx_get(cng) != Int32(MODEM_CONNECT_TONES_NONE) { return .cng }
        if modem_connect_tones_rx_get(ced) != Int32(MODEM_CONNECT_TONES_NONE) { return .ced }
        return nil
    }
}
