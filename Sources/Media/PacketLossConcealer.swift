import CSpanDSP

/// Packet-loss concealment for G.711 through spandsp (it keeps the recent signal and
/// synthesizes a lost frame from its pitch, fading out over a long gap).
package final class PacketLossConcealer {
    private let state: UnsafeMutablePointer<plc_state_t>

    package init() { state = plc_init(nil) }

    deinit { plc_free(state) }

    /// Records a good frame (call for every frame that arrived).
    package func received(_ samples: UnsafeMutableBufferPointer<Int16>) {
        guard let base = samples.baseAddress, !samples.isEmpty else { return }
        _ = plc_rx(state, base, Int32(samples.count))
    }

    /// Fills `out` with a substitute for a lost frame.
    package func conceal(_ out: UnsafeMutableBufferPointer<Int16>) {
        guard let base = out.baseAddress, !out.isEmpty else { return }
        _ = plc_fillin(state, base, Int32(out.count))
    }
}
