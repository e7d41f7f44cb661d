// swift-tools-version:6.0
import PackageDescription

/// sipdial: a native SIP/RTP outbound dialer. See README.md and docs/ARCHITECTURE.md.
let package = Package(
    name: "sipdial",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sipdial", targets: ["sipdial"]),
        .library(name: "SIPCore", targets: ["SIPCore"]),
        .library(name: "SIPTransaction", targets: ["SIPTransaction"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        .target(name: "SIPCore"),
        .target(name: "SIPTransaction", dependencies: ["SIPCore"]),
        .executableTarget(
            name: "sipdial",
            dependencies: [
                "SIPCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SIPCoreTests", dependencies: ["SIPCore"], resources: [.copy("Torture")]),
        .testTarget(name: "SIPTransactionTests", dependencies: ["SIPTransaction"]),
    ]
)
