import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The key that encrypts secrets at rest (issue #24 item 3: trunk passwords): 256 random
/// bits in `<data directory>/secret.key`, made on first use with mode 0600. A secret is
/// stored as `enc1:` and the base64 of AES-256-GCM's nonce, ciphertext and tag, so a copy of
/// the database alone gives nothing away. Losing the key file loses the passwords: they
/// must be set again (`PATCH /v1/trunks/{id}`).
struct StoreSecret: Sendable {
    static let fileName = "secret.key"
    private static let prefix = "enc1:"
    /// The key's bytes (SymmetricKey is not Sendable).
    private let bytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// Reads the key in `directory`, or makes it.
    init(directory: URL) throws {
        let path = directory.appendingPathComponent(Self.fileName).path
        let made = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        // O_EXCL and mode 0600 from the start: never readable by others, even for a moment,
        // and a second process opening the same directory reads the first one's key.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd >= 0 {
            defer { close(fd) }
            guard write(fd, made, made.count) == made.count else { throw StoreSecretError.cannotWrite(path) }
            bytes = made
            return
        }
        guard errno == EEXIST, let data = FileManager.default.contents(atPath: path) else { throw StoreSecretError.cannotWrite(path) }
        guard data.count == 32 else { throw StoreSecretError.badKeyFile(path) }
        bytes = Array(data)
    }

    static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }

    func seal(_ secret: String) throws -> String {
        let box = try AES.GCM.seal(Data(secret.utf8), using: key)
        guard let combined = box.combined else { throw StoreSecretError.cannotSeal }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The secret `seal` made; `what` names it in the error when the key does not open it.
    func unseal(_ stored: String, what: String) throws -> String {
        guard Self.isSealed(stored), let data = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))),
              let box = try? AES.GCM.SealedBox(combined: data), let plain = try? AES.GCM.open(box, using: key) else {
            throw StoreSecretError.cannotOpen(what)
        }
        return String(decoding: plain, as: UTF8.self)
    }
}

public enum StoreSecretError: Error, Sendable, Equatable, CustomStringConvertible {
    case badKeyFile(String)
    case cannotWrite(String)
    case cannotSeal
    case cannotOpen(String)

    public var description: String {
        switch self {
        case .badKeyFile(let path): "\(path) is not a 32-byte key"
        case .cannotWrite(let path): "cannot write the key file \(path)"
        case .cannotSeal: "AES-GCM could not seal a secret"
        case .cannotOpen(let what): "\(what) cannot be decrypted with the data directory's \(StoreSecret.fileName) (was it replaced?): set it again"
        }
    }
}
