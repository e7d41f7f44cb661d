@testable import DialerStore
import Foundation

/// A store in a fresh directory, removed with it.
final class Scratch {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-store-\(UUID().uuidString)")
    lazy var store = try! DialerStore(directory: directory)
    deinit { try? FileManager.default.removeItem(at: directory) }
}
