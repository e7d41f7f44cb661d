import Foundation
import Testing

/// The mutation corpus (`SIPMutationCorpus`: every header of a realistic INVITE, OPTIONS and
/// REGISTER broken each way) fired at a running `sipdial serve` over UDP, with an OPTIONS
/// that must be answered after every 25 messages: no message may stop the process or
/// silence its SIP endpoint.
struct ServeMutationCorpusTests {
    @Test func everyMutatedMessageLeavesSIPAnswering() async throws {
        let cases = SIPMutationCorpus.cases()
        #expect(cases.count > 500, "the corpus has \(cases.count) cases")
        let dialer = try await UDPServe()
        let client = UDPClient(port: dialer.port)
        var probes = 0
        for (index, mutation) in cases.enumerated() {
            client.send(mutation.bytes)
            guard (index + 1) % 25 == 0 || index == cases.count - 1 else { continue }
            probes += 1
            let callID = "liveness-\(index)"
            client.send(ServeRefusedDestinationTests.options(via: "127.0.0.1:9", branch: callID, rport: true))
            let answer = client.receive(timeout: .seconds(5)) { $0.hasPrefix("SIP/2.0 200 OK") && $0.contains("Call-ID: \(callID)\r\n") }
            let batch = cases[max(0, index - 24)...index].map(\.name)
            #expect(answer != nil, "no OPTIONS answer after \(batch)\n\(dialer.process.text.suffix(2_000))")
            #expect(dialer.process.isRunning, "sipdial died after \(batch)")
            if answer == nil || !dialer.process.isRunning { return }
        }
        print("mutation corpus: \(cases.count) messages, \(probes) OPTIONS liveness checks answered")
    }
}
