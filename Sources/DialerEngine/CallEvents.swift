import DialerStore
import Fax
import Foundation
import Media
import SIPUserAgent
import Synchronization

/// The status-callback events of one call: each sent once, in the order the call reached
/// them (ringing at the first provisional, answered at the 2xx), to the webhook `sender`
/// when the call has a status callback and to the event `log` (`/v1/events`) when there is one.
final class CallEvents: Sendable {
    let sender: WebhookSender?
    let url: String
    /// The call's id (`/v1/calls/{id}`, or an inbound call's CDR id), campaign and number.
    let callID: String
    let campaignID: String?
    let phone: String
    let log: CallEventLog?
    private let state = Mutex<(sent: Set<String>, sipCallID: String?)>(([], nil))

    init(sender: WebhookSender?, url: String, callID: String, campaignID: String?, phone: String, log: CallEventLog?) {
        (self.sender, self.url, self.log) = (sender, url, log)
        (self.callID, self.campaignID, self.phone) = (callID, campaignID, phone)
    }

    convenience init(sender: WebhookSender?, url: String, attempt: Attempt, log: CallEventLog?) {
        self.init(sender: sender, url: url, callID: attempt.id, campaignID: attempt.campaignId, phone: attempt.phone, log: log)
    }

    func follow(_ event: CallEvent) {
        switch event {
        case .progress, .earlyMedia: send("ringing")
        case .answered: send("answered")
        default: break
        }
    }

    func send(_ name: String, sipCallID: String? = nil, cdr: CDR? = nil, amd: AMDResult? = nil, fax: FaxResult? = nil) {
        guard sender != nil || log != nil else { return }
        let (first, callID) = state.withLock { state -> (Bool, String?) in
            if let sipCallID { state.sipCallID = sipCallID }
            return (state.sent.insert(name).inserted, state.sipCallID)
        }
        guard first else { return }
        var callback = StatusCallback(event: name, callId: self.callID, sipCallId: callID, campaignId: campaignID, phone: phone, cdr: cdr)
        callback.amd = amd
        callback.fax = fax
        sender?.notify(url, callback)
        log?.publish(callback)
    }
}
