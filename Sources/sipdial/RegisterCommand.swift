import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import SIPCore
import SIPTransport
import SIPUserAgent

/// `sipdial register`: registers to a registrar, keeps the registration refreshed for
/// `--hold` seconds, unregisters, and prints each step. Exit 0 when it registered and
/// unregistered, 1 on a SIP failure (wrong password, refusal), 2 usage, 3 network.
struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register to a SIP registrar with digest authentication, hold, then unregister."
    )

    @Option(help: "Registrar HOST[:PORT] (a name is resolved by SRV, then A/AAAA).")
    var registrar: String
    @Option(help: "User name (for the address of record and for authentication).")
    var user: String
    @Option(help: "Password for digest authentication.")
    var password: String
    @Option(help: "Domain of the address of record (default: the registrar's host).")
    var domain: String?
    @Option(help: "udp, tcp or tls (without --tls-cert, tls listens for nothing: the registrar reaches sipdial over the connection it opened).")
    var transport: String = "udp"
    @Option(help: "Expiry to ask for, in seconds.")
    var expires: UInt32 = 3600
    @Option(help: "Seconds to keep the registration (refreshing it) before unregistering.")
    var hold: Double = 0
    @Option(help: "Local address to listen on and to put in Contact (default: the address that routes to the registrar).")
    var localAddress: String?
    @Flag(help: "Print one JSON object per step.")
    var json = false
    @OptionGroup var tls: TLSOptions

    func validate() throws {
        guard SIPTransportType(uriParameter: transport) != nil else { throw ValidationError("--transport must be udp, tcp or tls") }
        guard HostPort(registrar) != nil else { throw ValidationError("--registrar '\(registrar)' is not HOST[:PORT]") }
        guard hold >= 0, hold <= 86_400 else { throw ValidationError("--hold must be between 0 and 86400 seconds") }
        guard expires > 0 else { throw ValidationError("--expires must be positive") }
        guard !user.isEmpty else { throw ValidationError("--user must not be empty") }
    }

    func run() async throws {
        let spec = HostPort(registrar)!
        let kind = SIPTransportType(uriParameter: transport)!
        let local = localAddress ?? LocalRoute.address(toward: spec.host) ?? "127.0.0.1"
        let fail: (String) -> Void = { report(["step": "error", "error": $0]) }
        try await CommandEndpoint.run(local: local, kind: kind, tls: tls.settings, onError: fail) { endpoint in
            try await register(spec: spec, endpoint: endpoint)
        }
    }

    /// Registers, holds while refreshing, unregisters.
    private func register(spec: HostPort, endpoint: CommandEndpoint) async throws {
        let registrarURI = SIPURI(host: spec.uriHost, port: spec.port, parameters: endpoint.transportParameters)
        let destinations = try await endpoint.destinations(for: registrarURI, name: spec.host) { report(["step": "error", "error": $0]) }
        let clientConfig = RegistrationClient.Configuration(
            registrar: registrarURI,
            addressOfRecord: SIPURI(user: user, host: domain ?? spec.uriHost),
            contact: endpoint.contact(user: user), via: endpoint.via,
            username: user, password: password, expires: expires)
        let transactions = endpoint.transactions
        let events = AsyncStream<(RegistrationClient.State, String?)>.makeStream()
        let registration = SIPRegistration(client: RegistrationClient(configuration: clientConfig), transactions: transactions, destinations: destinations) { state, error in
            events.continuation.yield((state, error))
        }
        registration.start()
        let started = ContinuousClock.now
        var registeredOnce = false
        var lastError: String?
        var failures = 0
        // Wait until registered (or the first failure), then hold while refreshing.
        for await (state, error) in events.stream {
            report(step(state, error, since: started))
            lastError = error ?? lastError
            if case .registered = state { registeredOnce = true; break }
            if case .backingOff = state {
                failures += 1
                if error?.contains("authentication failed") == true || failures >= 3 { break }
            }
        }
        if registeredOnce, hold > 0 {
            let deadline = ContinuousClock.now + .milliseconds(Int64(hold * 1000))
            let watcher = Task {
                for await (state, error) in events.stream {
                    report(step(state, error, since: started))
                }
            }
            try? await Task.sleep(until: deadline)
            watcher.cancel()
        }
        await registration.stop()
        let (final, error) = try await registration.status()
        report(step(final, error, since: started))
        events.continuation.finish()
        guard registeredOnce else {
            let network = lastError.map { $0.contains("no answer") || $0.contains("cannot reach") } ?? false
            throw ExitCode(network ? 3 : 1)
        }
    }

    private func step(_ state: RegistrationClient.State, _ error: String?, since start: ContinuousClock.Instant) -> [String: String] {
        let elapsed = ContinuousClock.now - start
        var out = ["elapsed": String(format: "%.3f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)]
        switch state {
        case .idle: out["step"] = "idle"
        case .registering: out["step"] = "registering"
        case .registered(let e):
            out["step"] = "registered"
            out["expires"] = String(e)
        case .backingOff(let reason):
            out["step"] = reason.contains("authentication failed") ? "authentication-failed" : "failed"
            out["error"] = reason
        case .unregistering: out["step"] = "unregistering"
        case .unregistered: out["step"] = "unregistered"
        }
        if let error, out["error"] == nil { out["error"] = error }
        return out
    }

    private func report(_ fields: [String: String]) {
        let line: String
        if json {
            let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        } else {
            let detail = fields.filter { $0.key != "step" && $0.key != "elapsed" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line = "[\(fields["elapsed"] ?? "")s] \(fields["step"] ?? "")" + (detail.isEmpty ? "" : " " + detail)
        }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// HOST[:PORT] from the command line (registrar, proxy), IPv6 in brackets.
struct HostPort {
    var host: String
    var port: Int?
    var uriHost: String { host.contains(":") ? "[\(host)]" : host }

    init?(_ text: String) {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { port = nil } else {
                guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            }
        } else {
            let parts = text.split(separator: ":")
            guard parts.count == 1 || parts.count == 2, !parts[0].isEmpty else { return nil }
            host = String(parts[0])
            if parts.count == 2 {
                guard let p = Int(parts[1]), (1...65535).contains(p) else { return nil }
                port = p
            } else {
                port = nil
            }
        }
        guard !host.isEmpty else { return nil }
    }
}
