import Synchronization

/// Something that happens at most once, whichever of several threads or events gets there
/// first: resuming a continuation two events race for, or a stop asked for by a signal.
public final class Once: Sendable {
    private let done = Mutex(false)

    public init() {}

    /// True for the first caller only.
    public func claim() -> Bool {
        done.withLock { done in
            defer { done = true }
            return !done
        }
    }

    /// Whether it has happened.
    public var happened: Bool { done.withLock { $0 } }
}
