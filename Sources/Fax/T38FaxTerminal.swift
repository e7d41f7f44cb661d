import CSpanDSP

/// One side of a fax over T.38 in terminal mode (ITU-T T.38, T.30 with ECM by default):
/// spandsp's T.38 terminal and its T.30 engine. The owner feeds it IFP packets as UDPTL
/// delivers them (`receive`), calls `tick` every 20 ms of its clock, and sends what
/// `onPacket` hands it; the result comes once, from T.30 phase E. Not thread-safe: one
/// owner, one thread at a time.
public final class T38FaxTerminal {
    private var state: OpaquePointer?
    private let onPacket: ([UInt8]) -> Void
    private let sink = FaxResultSink(transport: "t38")
    /// Set once, by T.30 phase E.
    public var result: FaxResult? { sink.result }

    /// `calling`: the side that placed the call (it waits for the answerer's DIS).
    public init(calling: Bool, role: FaxRole, settings: FaxSettings = FaxSettings(), onPacket: @escaping ([UInt8]) -> Void) {
        self.onPacket = onPacket
        state = t38_terminal_init(nil, calling ? 1 : 0, { _, user, buffer, length, _ in
            guard let user, let buffer, length > 0 else { return 0 }
            let terminal = Unmanaged<T38FaxTerminal>.fromOpaque(user).takeUnretainedValue()
            terminal.onPacket(Array(UnsafeBufferPointer(start: buffer, count: Int(length))))
            return 0
        }, Unmanaged.passUnretained(self).toOpaque())
        guard let state else { return }
        let core = t38_terminal_get_t38_core_state(state)
        t38_set_t38_version(core, Int32(settings.version))
        t38_set_max_datagram_size(core, Int32(settings.maxDatagram))
        // The enum, not the header's contradicting doc comment: LOCAL_TCF 1, TRANSFERRED_TCF 2.
        t38_set_data_rate_management_method(core, settings.rateManagement == .localTCF ? 1 : 2)
        if let t30 = t38_terminal_get_t30_state(state) {
            T30Session.configure(t30, role: role, settings: settings, handler: Unmanaged.passUnretained(sink).toOpaque())
        }
    }

    deinit {
        if let state { t38_terminal_free(state) }
    }

    /// 20 ms (160 samples) of the clock have passed.
    public func tick(samples: Int = 160) {
        guard let state else { return }
        t38_terminal_send_timeout(state, Int32(samples))
    }

    /// The call ended: a fax still under way ends now, its result the T.30 code for a call
    /// dropped (with the pages that made it so far); a finished one keeps its result.
    public func callEnded() {
        guard let state, result == nil, let t30 = t38_terminal_get_t30_state(state) else { return }
        t30_terminate(t30)
    }

    /// An IFP packet UDPTL delivered, with its sequence number.
    public func receive(ifp: [UInt8], sequence: UInt16) {
        guard let state else { return }
        ifp.withUnsafeBufferPointer { buffer in
            _ = t38_core_rx_ifp_packet(t38_terminal_get_t38_core_state(state), buffer.baseAddress, Int32(buffer.count), sequence)
        }
    }
}
