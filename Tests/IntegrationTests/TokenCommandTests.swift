import DialerStore
import Foundation
import Testing

/// `sipdial token create`: the printed token authenticates against the store it wrote.
struct TokenCommandTests {
    @Test func aCreatedTokenAuthenticatesAndIsPrintedOnce() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-token-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (status, out) = try await SipdialBinary.run(["token", "create", "crm", "--data", dir.path])
        #expect(status == 0, "\(out)")
        let token = out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count == 43 && !token.contains("="), "32 bytes, base64url: \(token)")
        let store = try DialerStore(directory: dir)
        #expect(try store.authenticate(token: token, now: 0)?.name == "crm")
        let (empty, emptyOut) = try await SipdialBinary.run(["token", "create", " ", "--data", dir.path])
        #expect(empty == 2, "\(emptyOut)")
    }
}
