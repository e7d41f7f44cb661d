import ArgumentParser
import Foundation

/// The sipdial command line. Usage errors exit with status 2 (not ArgumentParser's 64), as
/// every sipdial command documents: 0 success, 1 protocol-level failure, 2 usage, 3 network.
@main
enum Main {
    static func main() async {
        do {
            var command = try SipDial.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = SipDial.exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((SipDial.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            SipDial.exit(withError: error)
        }
    }
}

struct SipDial: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sipdial",
        abstract: "A native SIP/RTP outbound dialer.",
        subcommands: [ServeCommand.self, CallCommand.self, BridgeCommand.self, RegisterCommand.self, SimulateCommand.self, LoadTestCommand.self, TokenCommand.self, AMDCommand.self, FaxCommand.self, SIPCommand.self]
    )
}

/// `sipdial sip ...`: tools that work on SIP messages themselves.
struct SIPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sip",
        abstract: "Inspect and exercise SIP.",
        subcommands: [SIPCheckCommand.self]
    )
}
