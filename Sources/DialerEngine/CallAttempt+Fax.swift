import Fax
import Foundation
import Media

/// The flow verbs `fax` and `receive_fax` (issue #23 item 6): a `FaxCall` on the answered
/// call, G.711 first and T.38 as the verb's transport says, until T.30's result, the call's
/// end or the verb's timeout. The result goes in the CDR (`fax`; a failure makes the call
/// `fax_failed`), a received fax beside the recordings.
extension CallAttempt {
    /// Runs one fax, until its result or the call's end: on the call's audio, or on the T.38
    /// stream the call was answered with.
    func runFax(_ step: CallFlow.FaxStep, role: FaxRole) async {
        var role = role
        let fax: FaxCall, start: () throws -> Void
        if let early = faxAnsweredOnT38 {
            faxAnsweredOnT38 = nil
            (fax, role) = (early.fax, .receive(into: early.file))
            start = { try early.fax.answered(onT38: early.stream) }
        } else {
            guard let audio, let made = makeFax(step, role: role) else { return }
            fax = made
            start = { try made.answered(audio) }
        }
        do { try start() } catch {
            context.logger.error("fax did not start", metadata: ["call_id": "\(record.sipCallID ?? "")", "error": "\(error)"])
            _ = await fax.end()
            return
        }
        if case .receive(let file) = role { record.receivedFax = file }
        let limit = startTimer(step.timeout)
        var done = false
        while !done, let signal = await nextSignal() {
            switch signal {
            case .call(let event):
                do { try fax.handle(event) } catch { endCall() }
            case .fax(let report):
                done = (try? fax.handle(report)) != nil
            case .timer(limit):
                endCall()
            default:
                continue
            }
        }
        // T.30's result, or the code of a fax cut short; the UDPTL socket closes.
        record.fax = await fax.end()
        if let result = record.fax { onFax(result) }
    }

    /// The fax of a `fax` or `receive_fax` verb on this call, not started yet; nil before
    /// the call has media.
    func makeFax(_ step: CallFlow.FaxStep, role: FaxRole) -> FaxCall? {
        guard let media, let offers = call?.offers ?? inbound?.offers else { return nil }
        var settings = FaxSettings()
        (settings.stationID, settings.ecm, settings.headerInfo) = (step.stationID, step.ecm, step.header)
        let setup = FaxCall.Setup(calling: !isInbound, role: role, settings: settings, mode: FaxSwitch.Mode(rawValue: step.transport) ?? .auto,
                                  host: mediaHost, ports: context.rtpPorts)
        let signals = self.signals
        return FaxCall(setup, media: media, offers: offers, group: context.mediaGroup, report: { signals.yield(.fax($0)) },
                       onTimeout: { signals.yield(.mediaTimeout) })
    }

    /// The TIFF of a stored document, or nil (logged) when it is gone.
    func faxDocument(_ id: String) -> String? {
        do { return try context.prompts.faxDocument(id) } catch {
            context.logger.error("fax failed", metadata: ["call_id": "\(record.sipCallID ?? "")", "error": "\(error)"])
            return nil
        }
    }

    /// A new file for a received fax, in the recording directory.
    func newReceivedFaxPath() -> String {
        context.recordingDirectory.appendingPathComponent("fax-\(UUID().uuidString.lowercased()).tif").path
    }
}
