import CSpanDSP

/// One side of a fax over the audio of a G.711 call (ITU-T T.30 over V.21/V.27ter/V.29/V.17
/// modems, CNG and CED): spandsp's audio fax state. Each 20 ms the owner hands it what was
/// received (`receive`) and takes what to send (`transmit`), 8 kHz linear samples; the
/// result comes once, from T.30 phase E. Not thread-safe: one owner, one thread at a time.
public final class AudioFaxTerminal {
    private var state: OpaquePointer?
    private let sink = FaxResultSink(transport: "audio")
    /// Set once, by T.30 phase E.
    public var result: FaxResult? { sink.result }

    /// `calling`: the side that placed the call (it sends CNG and waits for the answer tone).
    public init(calling: Bool, role: FaxRole, settings: FaxSettings = FaxSettings()) {
        state = fax_init(nil, calling ? 1 : 0)
        guard let state else { return }
        // Silence rather than nothing between signals, so the call's audio keeps its timing.
        fax_set_transmit_on_idle(state, 1)
        if let t30 = fax_get_t30_state(state) {
            T30Session.configure(t30, role: role, settings: settings, handler: Unmanaged.passUnretained(sink).toOpaque())
        }
    }

    deinit {
        if let state { fax_free(state) }
    }

    /// Takes received audio (8 kHz).
    public func receive(_ samples: UnsafeMutableBufferPointer<Int16>) {
        guard let state, let base = samples.baseAddress else { return }
        _ = fax_rx(state, base, Int32(samples.count))
    }

    /// The call ended: a fax still under way ends now, its result the T.30 code for a call
    /// dropped (with the pages that made it so far); a finished one keeps its result.
    public func callEnded() {
        guard let state, result == nil, let t30 = fax_get_t30_state(state) else { return }
        t30_terminate(t30)
    }

    /// Fills `samples` with what to send (8 kHz); silence where the modem has nothing.
    public func transmit(into samples: UnsafeMutableBufferPointer<Int16>) {
        guard let state, let base = samples.baseAddress else { return }
        let made = Int(fax_tx(state, base, Int32(samples.count)))
        for i in made..<samples.count { samples[i] = 0 }
    }
}
