import Foundation
import Greetings
import Media

// The answering-machine detector on its corpus (issue #22), on demand:
//   swift run -c release AMDBenchmark [tune|test] [COUNT] [--misses] [--set=NAME=SECONDS ...]
// prints accuracy, notsure, people called machines, decision times, beeps found and when a
// message could start after them; then how many real-time analyses one core carries (the
// detector over pre-rendered greetings, CPU time against audio time). Thresholds are chosen
// on `tune`; figures quoted are `test`'s. Speech is cached in $TMPDIR/sipdial-amd-corpus.
let arguments = CommandLine.arguments.dropFirst()
let part = arguments.first.flatMap(AMDCorpus.Part.init(rawValue:)) ?? .test
let count = arguments.dropFirst().first.flatMap(Int.init) ?? 400
let renderer = GreetingRenderer(synthesizer: SpeechSynthesizer(cacheDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("sipdial-amd-corpus")))
let greetings = AMDCorpus.greetings(part, count: count)
// `--set name=value` changes one threshold (seconds), for tuning on `tune`.
var settings = AMDSettings()
for argument in arguments where argument.hasPrefix("--set=") {
    let pair = argument.dropFirst(6).split(separator: "=")
    guard pair.count == 2, let value = Double(pair[1]) else { continue }
    switch pair[0] {
    case "timeout": settings.timeout = value
    case "humanSilence": settings.humanSilence = value
    case "maximumHumanGreeting": settings.maximumHumanGreeting = value
    case "machineGreeting": settings.machineGreeting = value
    case "longGreetingSilence": settings.longGreetingSilence = value
    case "revisionSpeech": settings.revisionSpeech = value
    case "speechAboveFloor": settings.speechAboveFloor = value
    default: print("unknown setting \(pair[0])")
    }
}
var scorecard = AMDScorecard()
try scorecard.evaluate(greetings, renderer: renderer, settings: settings)
print("part: \(part.rawValue)")
print(scorecard.report)
if arguments.contains("--misses") { for miss in scorecard.misses { print("miss: \(miss)") } }
if arguments.contains("--beeps") {
    for item in scorecard.items where item.truth.beepStart != nil {
        let found = item.final.beep.map { abs($0.startMs - item.truth.beepStart!) <= 60 } ?? false
        if !found {
            print("beep missed: \(item.greeting.beep!) snr \(Int(item.greeting.line.snr)) band \(item.greeting.line.bandLimited) g711 \(item.greeting.line.g711 ?? "-") loss \(item.greeting.line.loss) found \(String(describing: item.final.beep)) at \(item.truth.beepStart!)")
        }
    }
    for item in scorecard.items where item.truth.beepEnd != nil && item.beepReportedMs.map({ $0 < item.truth.beepEnd! }) == true {
        print("beep reported before its end: \(item.greeting.beep!) snr \(Int(item.greeting.line.snr)) loss \(item.greeting.line.loss) g711 \(item.greeting.line.g711 ?? "-") found \(String(describing: item.final.beep)) played \(item.truth.beepStart!)-\(item.truth.beepEnd!)")
    }
    for item in scorecard.items where item.truth.beepStart == nil && item.final.beep != nil {
        print("false beep: \(item.greeting.kind.rawValue) \(item.final.beep!) voice \(item.greeting.voice) pitch \(item.greeting.pitch) sit \(String(describing: item.final.evidence.specialInformationTone)) cause \(item.final.cause) loss \(item.greeting.line.loss) snr \(Int(item.greeting.line.snr))")
    }
}

// Throughput: the detector alone over the audio of the first 100 greetings.
let audio = try greetings.prefix(100).map { try renderer.render($0).samples }
let audioSeconds = Double(audio.map(\.count).reduce(0, +)) / 8000
/// CPU seconds (user + system) this process used so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
let before = cpuSeconds()
var verdicts = 0
for _ in 0..<3 {
    for samples in audio {
        let detector = AnsweringMachineDetector()
        samples.withUnsafeBufferPointer { all in
            var start = 0
            while start + 160 <= all.count {
                verdicts += detector.feed(UnsafeBufferPointer(rebasing: all[start..<(start + 160)])).count
                start += 160
            }
        }
    }
}
let after = cpuSeconds()
print(String(format: "throughput: %.0f s of audio in %.2f CPU-s: %.0f real-time analyses per core (%d events)",
             audioSeconds * 3, after - before, audioSeconds * 3 / (after - before), verdicts))
