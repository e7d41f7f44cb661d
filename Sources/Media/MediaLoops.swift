import Foundation
import NIOCore
import NIOPosix

/// The event loops media runs on (docs/ARCHITECTURE.md, house rules: one media loop per core, each with its clock).
public enum MediaLoops {
    /// Makes `threads` event loops for media. With `realtimePriority` (1-99) each loop's
    /// thread is scheduled SCHED_RR at that priority, as FreeSWITCH (`-rp`) and Asterisk
    /// (`-p`) do for theirs: a media loop that wakes every 2 ms then runs before anything else
    /// waiting for the CPU (signaling, the API, other processes), so its packets leave on
    /// time on a busy machine. The loops only ever run for a few milliseconds at a time, and
    /// the kernel keeps 5 % of each second for other threads (sched_rt_runtime_us).
    ///
    /// Returns the loops and, when the priority could not be set (it needs CAP_SYS_NICE or
    /// an RLIMIT_RTPRIO of at least the priority), why: the loops then run at the normal
    /// priority.
    public static func make(threads: Int, realtimePriority: Int32?) async -> (MultiThreadedEventLoopGroup, failure: String?) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        guard let priority = realtimePriority else { return (group, nil) }
        var failure: String?
        for loop in group.makeIterator() {
            let code = try? await loop.submit { () -> Int32 in
                var parameters = sched_param(sched_priority: priority)
                return pthread_setschedparam(pthread_self(), SCHED_RR, &parameters)
            }.get()
            if let code, code != 0 {
                failure = "cannot schedule the media loops SCHED_RR at priority \(priority): \(String(cString: strerror(code)))"
            }
        }
        return (group, failure)
    }
}
