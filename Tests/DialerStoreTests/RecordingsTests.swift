@testable import DialerStore
import Testing

/// Uploaded prompts: listed oldest first, deleted with their record handed back.
struct RecordingsTests {
    @Test func recordingsListOldestFirstAndDeleteOnce() throws {
        let scratch = Scratch()
        let newer = Recording(id: "r2", name: "bye", path: "/tmp/r2.wav", durationMs: 900, createdAt: 20)
        let older = Recording(id: "r1", name: "hello", path: "/tmp/r1.wav", durationMs: 1200, createdAt: 10)
        try scratch.store.insert(newer)
        try scratch.store.insert(older)
        #expect(try scratch.store.recordings().map(\.id) == ["r1", "r2"])
        #expect(try scratch.store.deleteRecording(id: "r1") == older)
        #expect(try scratch.store.deleteRecording(id: "r1") == nil)
        #expect(try scratch.store.recording(id: "r2") == newer)
        #expect(scratch.store.recordingsDirectory.lastPathComponent == "recordings")
    }
}
