import CSpanDSP

/// The T.30 set-up both kinds of fax terminal share (ITU-T T.30: station ID, page header,
/// ECM, modems, the document to send or the file to receive into) and the result read at
/// phase E.
enum T30Session {
    /// Configures `t30` for `role`; its phase E result goes to the `FaxResultSink` at `user`.
    static func configure(_ t30: OpaquePointer, role: FaxRole, settings: FaxSettings, handler user: UnsafeMutableRawPointer) {
        t30_set_tx_ident(t30, settings.stationID)
        if let header = settings.headerInfo { t30_set_tx_page_header_info(t30, header) }
        t30_set_ecm_capability(t30, settings.ecm ? 1 : 0)
        t30_set_supported_modems(t30, Int32(T30_SUPPORT_V27TER | T30_SUPPORT_V29 | T30_SUPPORT_V17))
        switch role {
        case .send(let document): t30_set_tx_file(t30, document, -1, -1)
        case .receive(let path): t30_set_rx_file(t30, path, -1)
        }
        t30_set_phase_e_handler(t30, { t30, user, code in
            guard let user, let t30 else { return }
            Unmanaged<FaxResultSink>.fromOpaque(user).takeUnretainedValue().finished(t30: t30, code: Int(code))
        }, user)
    }
}

/// Keeps the phase E result of one terminal (the C callbacks' user data).
final class FaxResultSink {
    let transport: String
    var result: FaxResult?

    init(transport: String) { self.transport = transport }

    func finished(t30: OpaquePointer, code: Int) {
        guard result == nil else { return }
        var stats = t30_stats_t()
        t30_get_transfer_statistics(t30, &stats)
        let remote = t30_get_rx_ident(t30).map { String(cString: $0) } ?? ""
        let text = t30_completion_code_to_str(Int32(code)).map { String(cString: $0) } ?? "code \(code)"
        result = FaxResult(success: code == T30_ERR_OK, code: code, text: text, pagesSent: Int(stats.pages_tx),
                           pagesReceived: Int(stats.pages_rx), pagesInFile: Int(stats.pages_in_file), bitRate: Int(stats.bit_rate),
                           ecm: stats.error_correcting_mode != 0, xResolution: Int(stats.x_resolution), yResolution: Int(stats.y_resolution),
                           width: Int(stats.width), length: Int(stats.length), badRows: Int(stats.bad_rows), remoteStationID: remote,
                           transport: transport)
    }
}
