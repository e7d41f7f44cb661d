import DialerStore

extension CallFlow {
    /// Whether `store` holds what a flow names: a recording `play` plays, a document `fax` sends.
    public static func stored(in store: DialerStore) -> (Stored, String) -> Bool {
        { kind, id in
            switch kind {
            case .recording: (try? store.recording(id: id)) != nil
            case .document: (try? store.document(id: id)) != nil
            }
        }
    }
}
