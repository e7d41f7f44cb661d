import Foundation

/// What both fax benchmarks share: the one-page test document, a scratch directory, and the
/// process's CPU time.
public enum FaxBench {
    /// `Tests/FaxTests/Documents/letter-standard-1.tif` of the repository.
    public static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/FaxTests/Documents/letter-standard-1.tif").path

    /// A new empty directory for received pages; the caller removes it.
    public static func scratch(_ name: String) throws -> URL {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        return scratch
    }

    /// User and system CPU seconds this process used so far.
    public static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
