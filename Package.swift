// swift-tools-version:6.0
import PackageDescription

/// sipdial: a native SIP/RTP outbound dialer. See README.md and docs/ARCHITECTURE.md.
let package = Package(
    name: "sipdial",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sipdial", targets: ["sipdial"]),
        .library(name: "SIPCore", targets: ["SIPCore"]),
        .library(name: "SDP", targets: ["SDP"]),
        .library(name: "RTP", targets: ["RTP"]),
        .library(name: "Media", targets: ["Media"]),
        .library(name: "SIPTransaction", targets: ["SIPTransaction"]),
        .library(name: "SIPTransport", targets: ["SIPTransport"]),
        .library(name: "SIPUserAgent", targets: ["SIPUserAgent"]),
        .library(name: "SIPSimulator", targets: ["SIPSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.0.0"),
    ],
    targets: [
        .target(name: "SIPCore"),
        .target(name: "SDP"),
        .target(name: "RTP"),
        .systemLibrary(name: "CSpeexDSP", pkgConfig: "speexdsp", providers: [.apt(["libspeexdsp-dev"])]),
        .target(name: "COpus", linkerSettings: [.linkedLibrary("opus")]),
        .systemLibrary(name: "CSpanDSP", pkgConfig: "spandsp", providers: [.apt(["libspandsp-dev", "libtiff-dev"])]),
        .systemLibrary(name: "CEspeakNG", pkgConfig: "espeak-ng", providers: [.apt(["libespeak-ng-dev"])]),
        .target(
            name: "Media",
            dependencies: [
                "RTP", "SDP", "COpus", "CSpanDSP", "CSpeexDSP", "CEspeakNG",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(name: "SIPTransaction", dependencies: ["SIPCore"]),
        .target(
            name: "SIPTransport",
            dependencies: [
                "SIPCore", "SIPTransaction",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SIPUserAgent",
            dependencies: [
                "SIPCore", "SDP", "SIPTransaction", "SIPTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SIPSimulator",
            dependencies: [
                "SIPCore", "SDP", "Media", "SIPTransaction", "SIPTransport", "SIPUserAgent",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "sipdial",
            dependencies: [
                "SIPCore", "SDP", "RTP", "Media", "SIPTransaction", "SIPTransport", "SIPUserAgent", "SIPSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SIPCoreTests", dependencies: ["SIPCore"], resources: [.copy("Torture"), .copy("FuzzRegressions")]),
        .testTarget(name: "SIPTransactionTests", dependencies: ["SIPTransaction"]),
        .testTarget(name: "SDPTests", dependencies: ["SDP"]),
        .testTarget(name: "RTPTests", dependencies: ["RTP"]),
        .testTarget(name: "MediaTests", dependencies: ["Media"]),
        .testTarget(name: "SIPUserAgentTests", dependencies: ["SIPUserAgent", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "SIPSimulatorTests", dependencies: ["SIPSimulator"]),
        .testTarget(
            name: "SIPTransportTests",
            dependencies: [
                "SIPTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "SIPCore", "Media", "SIPTransaction", "SIPTransport", "SIPUserAgent", "SIPSimulator",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Scenarios"), .copy("Torture"), .copy("Kamailio")]
        ),
    ]
)
