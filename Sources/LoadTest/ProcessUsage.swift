#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// This process's CPU time and peak memory (getrusage), read before and after a run so the
/// report can say what generating the load cost.
public struct ProcessUsage: Sendable, Equatable {
    /// User plus system CPU seconds.
    public var cpuSeconds: Double
    /// Peak resident set size in bytes.
    public var maxResidentBytes: Int

    public static func now() -> ProcessUsage {
        var usage = rusage()
        #if canImport(Darwin)
        getrusage(RUSAGE_SELF, &usage)
        #else
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #endif
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        #if canImport(Darwin)
        let rss = Int(usage.ru_maxrss)
        #else
        let rss = Int(usage.ru_maxrss) * 1024
        #endif
        return ProcessUsage(cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime), maxResidentBytes: rss)
    }
}
