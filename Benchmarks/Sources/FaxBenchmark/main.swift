// Fax engine capacity (issue #23 targets): `swift run -c release FaxBenchmark [COUNT]` sends
// the one-page test document COUNT times (default 20) back to back over G.711 and over T.38
// (`FaxBackToBack`, in memory, the clock run as fast as the CPU goes) and prints, per
// transport, the fax time a page takes, how many faxes completed, and the CPU a terminal
// uses per second of fax: a real fax runs in real time, so one core keeps
// 1 / (CPU per fax second) terminals going.
import BenchmarkSupport
import Fax
import Foundation

let count = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 20
let document = FaxBench.document
let scratch = try FaxBench.scratch("fax-bench")
defer { try? FileManager.default.removeItem(at: scratch) }

var sender = FaxSettings(), receiver = FaxSettings()
(sender.stationID, receiver.stationID) = ("bench sender", "bench receiver")
for transport in ["audio", "t38"] {
    var complete = 0, faxSeconds = 0.0
    let start = FaxBench.cpuSeconds()
    for index in 0..<count {
        let file = scratch.appendingPathComponent("\(transport)-\(index).tif").path
        let run = transport == "audio" ? FaxBackToBack.audio(document, into: file, sender: sender, receiver: receiver)
            : FaxBackToBack.t38(document, into: file, sender: sender, receiver: receiver)
        if run.sent?.success == true, run.received?.success == true { complete += 1 }
        faxSeconds += run.seconds
        try? FileManager.default.removeItem(atPath: file)
    }
    // Two terminals ran for each fax second.
    let perTerminalSecond = (FaxBench.cpuSeconds() - start) / (2 * faxSeconds)
    print(String(format: "%@: %d of %d complete, %.1f s of fax time a page, %.3f ms CPU per terminal per fax second: %.0f terminals per core in real time",
                 transport, complete, count, faxSeconds / Double(count), perTerminalSecond * 1000, 1 / perTerminalSecond))
}

// Loss: each frame (G.711, concealed as the RTP stream does, ECM on) or datagram (T.38,
// redundancy 3) lost at random with the given probability, each way.
for share in [0.01, 0.05] {
    for transport in ["audio", "t38"] {
        var complete = 0
        for index in 0..<count {
            let file = scratch.appendingPathComponent("\(transport)-loss-\(index).tif").path
            let lost: (Int) -> Bool = { _ in Double.random(in: 0..<1) < share }
            let run = transport == "audio" ? FaxBackToBack.audio(document, into: file, sender: sender, receiver: receiver, lost: lost)
                : FaxBackToBack.t38(document, into: file, sender: sender, receiver: receiver, lost: lost)
            if run.sent?.success == true, run.received?.success == true { complete += 1 }
            try? FileManager.default.removeItem(atPath: file)
        }
        print(String(format: "%@ at %.0f%% loss: %d of %d complete", transport, share * 100, complete, count))
    }
}
