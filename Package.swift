// swift-tools-version:6.0
import PackageDescription

/// sipdial: a native SIP/RTP outbound dialer. See README.md and docs/ARCHITECTURE.md.

let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

let package = Package(
    name: "sipdial",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sipdial", targets: ["sipdial"]),
        .library(name: "SIPCore", targets: ["SIPCore"]),
        .library(name: "SDP", targets: ["SDP"]),
        .library(name: "RTP", targets: ["RTP"]),
        .library(name: "T38", targets: ["T38"]),
        .library(name: "Fax", targets: ["Fax"]),
        .library(name: "SRTP", targets: ["SRTP"]),
        .library(name: "Media", targets: ["Media"]),
        .library(name: "SIPTransaction", targets: ["SIPTransaction"]),
        .library(name: "SIPTransport", targets: ["SIPTransport"]),
        .library(name: "SIPUserAgent", targets: ["SIPUserAgent"]),
        .library(name: "SIPSimulator", targets: ["SIPSimulator"]),
        .library(name: "DialerStore", targets: ["DialerStore"]),
        .library(name: "DialerEngine", targets: ["DialerEngine"]),
        .library(name: "LoadTest", targets: ["LoadTest"]),
        .library(name: "Greetings", targets: ["Greetings"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        .target(name: "SIPCore"),
        .target(name: "SDP"),
        .target(name: "RTP"),
        .target(name: "T38"),
        .target(name: "Fax", dependencies: ["CSpanDSP", "T38", "SDP", "Media", nioCore]),
        .systemLibrary(name: "CSpeexDSP", pkgConfig: "speexdsp", providers: [.apt(["libspeexdsp-dev"])]),
        .target(name: "COpus", linkerSettings: [.linkedLibrary("opus")]),
        .target(name: "CDatagram"),
        .systemLibrary(name: "CSpanDSP", pkgConfig: "spandsp", providers: [.apt(["libspandsp-dev", "libtiff-dev"])]),
        .systemLibrary(name: "CSRTP", pkgConfig: "libsrtp2", providers: [.apt(["libsrtp2-dev"])]),
        .target(name: "SRTP", dependencies: ["CSRTP", "SDP"]),
        .systemLibrary(name: "CEspeakNG", pkgConfig: "espeak-ng", providers: [.apt(["libespeak-ng-dev"])]),
        .target(
            name: "Media",
            dependencies: ["RTP", "SDP", "SRTP", "COpus", "CDatagram", "CSpanDSP", "CSpeexDSP", "CEspeakNG", nioCore, nioPosix]
        ),
        .target(name: "Greetings", dependencies: ["Media"]),
        .target(name: "SIPTransaction", dependencies: ["SIPCore"]),
        .target(
            name: "SIPTransport",
            dependencies: ["SIPCore", "SIPTransaction", "CDatagram", nioCore, nioPosix, .product(name: "NIOSSL", package: "swift-nio-ssl"), logging]
        ),
        .target(
            name: "SIPUserAgent",
            dependencies: ["SIPCore", "SDP", "SIPTransaction", "SIPTransport", nioCore, logging, .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "SIPSimulator",
            dependencies: ["SIPCore", "SDP", "Media", "Fax", "SIPTransaction", "SIPTransport", "SIPUserAgent", nioCore, logging]
        ),
        .target(name: "DialerStore", dependencies: [.product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "DialerEngine",
            dependencies: ["DialerStore", "Media", "Fax", "SDP", "RTP", "SIPCore", "SIPTransaction", "SIPTransport", "SIPUserAgent", nioCore, nioPosix, .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "Crypto", package: "swift-crypto"), logging,
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        .target(name: "DialerAPI", dependencies: ["DialerStore", "DialerEngine", "Media", "Fax", "SDP", "SIPTransport", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTLS", package: "hummingbird"),
                                            .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Crypto", package: "swift-crypto"), logging,
                                            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .target(
            name: "LoadTest",
            dependencies: ["SIPCore", "Media", "SIPTransport", "SIPUserAgent", "DialerStore", "DialerEngine", nioCore, logging,
                           .product(name: "Histogram", package: "hdrhistogram-swift"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        .executableTarget(
            name: "sipdial",
            dependencies: [
                "SIPCore", "SDP", "RTP", "Media", "SIPTransaction", "SIPTransport", "SIPUserAgent", "SIPSimulator", "DialerStore", "DialerEngine", "DialerAPI", "LoadTest",
                "Greetings", "Fax", .product(name: "ArgumentParser", package: "swift-argument-parser"), nioCore, nioPosix, .product(name: "NIOSSL", package: "swift-nio-ssl"), logging,
            ]
        ),
        .testTarget(name: "SIPCoreTests", dependencies: ["SIPCore"], resources: [.copy("Torture"), .copy("FuzzRegressions")]),
        .testTarget(name: "SIPTransactionTests", dependencies: ["SIPTransaction"]),
        .testTarget(name: "SDPTests", dependencies: ["SDP"]),
        .testTarget(name: "RTPTests", dependencies: ["RTP"]),
        .testTarget(name: "T38Tests", dependencies: ["T38"]),
        .testTarget(name: "FaxTests", dependencies: ["Fax", "T38", "SDP", "Media", nioPosix], resources: [.copy("Documents")]),
        .testTarget(name: "MediaTests", dependencies: ["Media", "SDP"]),
        .testTarget(name: "GreetingsTests", dependencies: ["Greetings", "Media"]),
        .testTarget(name: "SIPUserAgentTests", dependencies: ["SIPUserAgent", nioCore]),
        .testTarget(name: "SIPSimulatorTests", dependencies: ["SIPSimulator", "SIPUserAgent", "SIPCore", nioCore]),
        .testTarget(name: "DialerStoreTests", dependencies: ["DialerStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "DialerEngineTests", dependencies: ["DialerEngine", "DialerStore", nioCore, .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(name: "LoadTestTests", dependencies: ["LoadTest", "SIPUserAgent", "Media", nioCore, nioPosix]),
        .testTarget(name: "SRTPTests", dependencies: ["SRTP", "SDP"]),
        .testTarget(name: "DialerAPITests", dependencies: ["DialerAPI", "DialerEngine", "DialerStore", "Media", .product(name: "Hummingbird", package: "hummingbird"), logging]),
        .testTarget(
            name: "SIPTransportTests",
            dependencies: ["SIPTransport", nioCore, .product(name: "NIOEmbedded", package: "swift-nio"), nioPosix, .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["SIPCore", "Media", "SIPTransaction", "SIPTransport", "SIPUserAgent", "SIPSimulator", "DialerStore", "DialerEngine", nioCore, nioPosix,
                           .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                           .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Scenarios"), .copy("Torture"), .copy("Kamailio")]
        ),
    ]
)
