import ArgumentParser
import DialerStore
import Foundation

/// `sipdial token create NAME`: makes a bearer token for the REST API. The token is printed
/// once; the store keeps only its SHA-256.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage REST API tokens.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a bearer token; it is printed once and stored only as its hash.")

        @Argument(help: "What the token is for (a CRM, a person), shown in listings.")
        var name: String
        @OptionGroup var data: DataDirectoryOption

        func validate() throws {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the token needs a name") }
        }

        func run() async throws {
            let store = try DialerStore(directory: data.url)
            let (_, token) = try store.createToken(name: name, now: Date().timeIntervalSince1970)
            Console.say(token)
        }
    }
}

/// `--data DIR`: where sipdial keeps its database, recordings and caches.
struct DataDirectoryOption: ParsableArguments {
    @Option(name: .customLong("data"), help: "Data directory (default $XDG_DATA_HOME/sipdial or ~/.local/share/sipdial).")
    var directory: String?

    var url: URL {
        if let directory { return URL(fileURLWithPath: directory) }
        let base = ProcessInfo.processInfo.environment["XDG_DATA_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share")
        return base.appendingPathComponent("sipdial")
    }
}
