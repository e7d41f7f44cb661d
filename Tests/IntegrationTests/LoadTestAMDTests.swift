import Foundation
import Testing

/// `sipdial loadtest --campaign --amd`: answering-machine detection on every campaign call,
/// its verdicts counted in the report. In the serial phase of `make test`, beside the other
/// tests that render speech and judge audio in real time.
struct LoadTestAMDTests {
    /// `--campaign --amd` against the simulator's generated greetings (`--mix`): the report
    /// counts the detector's verdicts, one per answered call, each kind as what it is.
    @Test func aCampaignWithDetectionCountsTheVerdicts() async throws {
        let dir = SIPp.workDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = try await SimulatorProcess.start(["--mix", "1:answer,greeting=human-short", "--mix", "1:answer,greeting=fax",
                                                    "--mix", "1:answer,greeting=machine-long"], recordingInto: dir)
        defer { sim.process.stop() }
        let (status, report, out) = try await LoadTestCommandTests.loadtest(["--campaign", "--amd", "--target", "127.0.0.1:\(sim.port)", "--cps", "4",
                                                             "--calls", "24", "--hold", "10"], in: dir)
        #expect(status == 0 && report["finished"] as? Int == 24, "\(out)")
        let verdicts = try #require(report["amd"] as? [String: Int], "\(out)")
        #expect(verdicts.values.reduce(0, +) == 24 && verdicts["fax"] ?? 0 > 0 && verdicts["human"] ?? 0 > 0 && verdicts["machine"] ?? 0 > 0, "\(verdicts)")
        #expect(out.contains("answering-machine detection: "), "\(out)")
    }
}
