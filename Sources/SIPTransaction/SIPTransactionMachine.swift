/// What the four transaction machines have in common: events in, actions out.
public protocol SIPTransactionMachine: Sendable {
    associatedtype Event
    mutating func handle(_ event: Event) -> [SIPTransactionAction]
}

extension ClientInviteTransaction: SIPTransactionMachine {}
extension ClientNonInviteTransaction: SIPTransactionMachine {}
extension ServerInviteTransaction: SIPTransactionMachine {}
extension ServerNonInviteTransaction: SIPTransactionMachine {}
