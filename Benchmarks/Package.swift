// swift-tools-version:6.1
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name (the checkout's name), so read it.
let product = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

// Benchmarks live in their own package so the product's build and CI stay fast.
// Run from this folder: swift run -c release rpc-bench --help
let package = Package(
    name: "MMSBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.27.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // The peer the issue compares against; pinned so the comparison is repeatable.
        .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
        // Allocations per call (its malloc interposer); see Benchmarks/PerCall.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "rpc-bench",
            dependencies: [
                .product(name: "MMSClient", package: product),
                .product(name: "MMSRPCServer", package: product),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Our server, grpc-swift-2 over HTTP/2 and a bare NIO echo, doing the same work;
        // `./compare` runs them side by side. grpc-swift's handlers are registered by hand with
        // our protobuf-c messages, so no protobuf plugin is built.
        .executableTarget(
            name: "peer-bench",
            dependencies: [
                .product(name: "MMSClient", package: product),
                .product(name: "MMSRPCServer", package: product),
                // For MMSCore and MMSSQLite, the engine and store behind GetMigrationStatus.
                .product(name: "MMSServer", package: product),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
            // The engine alone: time to migrate a backlog of meetings, as the backlog grows.
        .executableTarget(
            name: "engine-bench",
            dependencies: [
                .product(name: "MMSSQLite", package: product),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Issue 10: invitations/s and SMTP round trips per invitation to a local aiosmtpd
        // (Benchmarks/smtp/run starts it). MMSSMTP, MMSSQLite and MMSCore come with MMSServer.
        .executableTarget(
            name: "smtp-bench",
            dependencies: [
                .product(name: "MMSServer", package: product),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Allocations (and, where the machine has counters, instructions) per operation:
        // `swift package benchmark --target PerCall`.
        .executableTarget(
            name: "PerCall",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MMSClient", package: product),
                .product(name: "MMSRPCServer", package: product),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/PerCall",
            // callgrind/ is a package of its own (a plain driver for valgrind) that links CodecOps.swift.
            exclude: ["callgrind"],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
