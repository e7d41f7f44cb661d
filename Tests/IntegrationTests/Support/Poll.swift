/// Waits for a condition a running process brings about: asks `done` every `every` until it
/// says yes (true) or `timeout` passes (false). Tests wait for readiness, never a fixed time.
@discardableResult
func poll(timeout: Duration, every: Duration = .milliseconds(200), _ done: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await done() { return true }
        try await Task.sleep(for: every)
    }
    return false
}
