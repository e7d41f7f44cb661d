// swift-tools-version:6.0
import Foundation
import PackageDescription

/// sipdial benchmarks: built and run on demand (`make bench`), never by `swift test`.
/// The parent package's identity is its directory name, whatever the clone is called.
let sipdialIdentity = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "sipdial-benchmarks",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
    ],
    targets: [
        .executableTarget(
            name: "SIPBenchmarks",
            dependencies: [.product(name: "SIPCore", package: sipdialIdentity)],
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        ),
        .target(name: "BenchmarkSupport"),
        .target(name: "CReflector"),
        .executableTarget(
            name: "FaxBenchmark",
            dependencies: ["BenchmarkSupport", .product(name: "Fax", package: sipdialIdentity)]
        ),
        .executableTarget(
            name: "FaxLiveBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Fax", package: sipdialIdentity),
                .product(name: "Media", package: sipdialIdentity),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "AMDBenchmark",
            dependencies: [.product(name: "Greetings", package: sipdialIdentity), .product(name: "Media", package: sipdialIdentity)]
        ),
        .executableTarget(
            name: "MediaBenchmark",
            dependencies: [
                "BenchmarkSupport",
                "CReflector",
                .product(name: "Media", package: sipdialIdentity),
                .product(name: "SDP", package: sipdialIdentity),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
