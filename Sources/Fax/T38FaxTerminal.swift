import CSpanDSP

/// One side of a fax over T.38 in terminal mode (ITU-T T.38, T.30 with ECM by default):
/// spandsp's T.38 terminal and its T.30 engine. The owner feeds it IFP packets as UDPTL
/// delivers them (`receive`), calls `tick` every 20 ms of its clock, and sends what
/// `onPacket` hands it; the result comes once, from T.30 phase E. Not thread-safe: one
/// owner, one thread at a time.
public final class T38FaxTerminal {
    public enum Role: Sendable {
        /// Sends the TIFF-F document at this path.
        case send(document: String)
        /// Writes what is received to a TIFF at this path.
        case receive(into: String)
    }

    public struct Settings: Sendable {
        public var stationID = "sipdial"
        public var headerInfo: String?
        public var ecm = true
        /// The far end's `T38FaxMaxDatagram`; IFPs are kept below it.
        public var maxDatagram = 400
        /// The T.38 version negotiated (0-3).
        public var version = 0
        public var rateManagement = RateManagement.transferredTCF

        public enum RateManagement: Sendable { case localTCF, transferredTCF }

        public init() {}
    }

    private var state: OpaquePointer?
    private let onPacket: ([UInt8]) -> Void
    /// Set once, by T.30 phase E.
    public private(set) var result: FaxResult?

    /// `calling`: the side that placed the call (it waits for the answerer's DIS).
    public init(calling: Bool, role: Role, settings: Settings = Settings(), onPacket: @escaping ([UInt8]) -> Void) {
        self.onPacket = onPacket
        let me = Unmanaged.passUnretained(self).toOpaque()
        state = t38_terminal_init(nil, calling ? 1 : 0, { _, user, buffer, length, _ in
            guard let user, let buffer, length > 0 else { return 0 }
            let terminal = Unmanaged<T38FaxTerminal>.fromOpaque(user).takeUnretainedValue()
            terminal.onPacket(Array(UnsafeBufferPointer(start: buffer, count: Int(length))))
            return 0
        }, me)
        guard let state else { return }
        let core = t38_terminal_get_t38_core_state(state)
        t38_set_t38_version(core, Int32(settings.version))
        t38_set_max_datagram_size(core, Int32(settings.maxDatagram))
        // The enum, not the header's contradicting doc comment: LOCAL_TCF 1, TRANSFERRED_TCF 2.
        t38_set_data_rate_management_method(core, settings.rateManagement == .localTCF ? 1 : 2)
        let t30 = t38_terminal_get_t30_state(state)
        t30_set_tx_ident(t30, settings.stationID)
        if let header = settings.headerInfo { t30_set_tx_page_header_info(t30, header) }
        t30_set_ecm_capability(t30, settings.ecm ? 1 : 0)
        t30_set_supported_modems(t30, Int32(T30_SUPPORT_V27TER | T30_SUPPORT_V29 | T30_SUPPORT_V17))
        switch role {
        case .send(let document): t30_set_tx_file(t30, document, -1, -1)
        case .receive(let path): t30_set_rx_file(t30, path, -1)
        }
        t30_set_phase_e_handler(t30, { t30, user, code in
            guard let user else { return }
            let terminal = Unmanaged<T38FaxTerminal>.fromOpaque(user).takeUnretainedValue()
            terminal.finished(t30: t30, code: Int(code))
        }, me)
    }

    deinit {
        if let state { t38_terminal_free(state) }
    }

    /// 20 ms (160 samples) of the clock have passed.
    public func tick(samples: Int = 160) {
        guard let state else { return }
        t38_terminal_send_timeout(state, Int32(samples))
    }

    /// An IFP packet UDPTL delivered, with its sequence number.
    public func receive(ifp: [UInt8], sequence: UInt16) {
        guard let state else { return }
        ifp.withUnsafeBufferPointer { buffer in
            _ = t38_core_rx_ifp_packet(t38_terminal_get_t38_core_state(state), buffer.baseAddress, Int32(buffer.count), sequence)
        }
    }

    private func finished(t30: OpaquePointer?, code: Int) {
        guard result == nil, let t30 else { return }
        var stats = t30_stats_t()
        t30_get_transfer_statistics(t30, &stats)
        let remote = t30_get_rx_ident(t30).map { String(cString: $0) } ?? ""
        let text = t30_completion_code_to_str(Int32(code)).map { String(cString: $0) } ?? "code \(code)"
        result = FaxResult(success: code == T30_ERR_OK, code: code, text: text, pagesSent: Int(stats.pages_tx),
                           pagesReceived: Int(stats.pages_rx), pagesInFile: Int(stats.pages_in_file), bitRate: Int(stats.bit_rate),
                           ecm: stats.error_correcting_mode != 0, xResolution: Int(stats.x_resolution), yResolution: Int(stats.y_resolution),
                           width: Int(stats.width), length: Int(stats.length), badRows: Int(stats.bad_rows), remoteStationID: remote,
                           transport: "t38")
    }
}
