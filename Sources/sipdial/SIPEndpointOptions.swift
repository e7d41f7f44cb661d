import ArgumentParser
import Logging
import NIOCore
import SIPTransport
import SIPUserAgent

/// The options of a long-running SIP endpoint (`serve`, `simulate`): its listeners, who may
/// send it new dialogs, and logging.
struct SIPEndpointOptions: ParsableArguments {
    @Option(name: .customLong("listen"), help: "TRANSPORT:HOST:PORT to listen on (repeatable; udp, tcp or tls, which needs --tls-cert and --tls-key). Default udp:0.0.0.0:5060 and tcp:0.0.0.0:5060.")
    var listen: [String] = []
    @OptionGroup var tls: TLSOptions

    @Option(help: "Address or ADDRESS/PREFIX allowed to call in (repeatable); others get 403. Default: loopback only (127.0.0.0/8, ::1).")
    var allowPeer: [String] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func validate() throws {
        for spec in listen where ListenSpec(spec) == nil {
            throw ValidationError("--listen '\(spec)' is not TRANSPORT:HOST:PORT (e.g. udp:0.0.0.0:5060, tcp:[::1]:5070, tls:0.0.0.0:5061)")
        }
        if listen.contains(where: { ListenSpec($0)?.listener.transport == .tls }), tls.tlsCert == nil {
            throw ValidationError("--listen tls:… needs --tls-cert and --tls-key")
        }
        do { _ = try SIPPeerAllowList(allowPeer) } catch { throw ValidationError("--allow-peer \(error)") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not a log level") }
    }

    var logger: Logger {
        var logger = Logger(label: "sipdial")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }

    /// The listeners of `--listen`, or the defaults.
    var transportConfiguration: SIPTransportConfiguration {
        var config = SIPTransportConfiguration()
        if !listen.isEmpty { config.listeners = listen.compactMap { ListenSpec($0)?.listener } }
        config.tls = tls.settings
        return config
    }

    var allowedPeers: SIPPeerAllowList {
        get throws { allowPeer.isEmpty ? SIPPeerAllowList.loopback : try SIPPeerAllowList(allowPeer) }
    }

    /// One `listening TRANSPORT HOST PORT` line per socket on standard output: scripts and
    /// tests wait for these.
    static func announce(_ listeners: [(SIPTransportType, SocketAddress)]) {
        for (kind, address) in listeners {
            Console.say("listening \(kind.uriParameter) \(address.ipAddress ?? "?") \(address.port ?? 0)")
        }
    }
}
