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
    ]
)
