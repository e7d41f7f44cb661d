import Foundation

/// Access to the RFC 4475 / RFC 5118 vectors copied into this test target.
enum TortureFixtures {
    static let root: URL = Bundle.module.url(forResource: "Torture", withExtension: nil)!

    /// The bytes of one vector. RFC 5118 vectors come from `wire-crlf/` (the CRLF line ends a
    /// message has on the wire); RFC 4475 ones are stored with CRLF already.
    static func bytes(_ suite: String, _ name: String) -> [UInt8] {
        let dir = suite == "rfc5118" ? root.appendingPathComponent("rfc5118/wire-crlf") : root.appendingPathComponent(suite)
        let path = name == "test.dat" ? root.appendingPathComponent("rfc4475/extra/test.dat") : dir.appendingPathComponent(name)
        return Array(try! Data(contentsOf: path))
    }

    struct ManifestRow: Sendable {
        var suite: String
        var name: String
        var expected: String
    }

    /// Rows of both MANIFEST.tsv files.
    static func manifest() -> [ManifestRow] {
        var rows: [ManifestRow] = []
        for suite in ["rfc4475", "rfc5118"] {
            let text = try! String(contentsOf: root.appendingPathComponent("\(suite)/MANIFEST.tsv"), encoding: .utf8)
            for line in text.split(separator: "\n").dropFirst() {
                let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
                rows.append(ManifestRow(suite: suite, name: String(cols[0]), expected: String(cols[1])))
            }
        }
        return rows
    }

    /// Every .dat file shipped in a suite's directory (not its subdirectories).
    static func datFiles(_ suite: String) -> Set<String> {
        let names = try! FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(suite).path)
        return Set(names.filter { $0.hasSuffix(".dat") })
    }
}
