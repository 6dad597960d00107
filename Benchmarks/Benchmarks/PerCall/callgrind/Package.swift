// swift-tools-version:6.1
import Foundation
import PackageDescription

// A plain driver for valgrind --tool=callgrind: PerCall's codec operations (CodecOps.swift, the
// same file by symlink) under a synchronous main. The benchmark executables have an async main,
// whose main thread parks in libdispatch's rt_sigsuspend with a mask in read-only memory, which
// valgrind 3.19 writes to and dies on (see ../../../results/per-call-and-memory.md). Run ./run.

// The root package is four folders up; a path dependency's identity is its folder's name.
let root = URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent("../../../..").standardized
let product = root.lastPathComponent

let package = Package(
    name: "PerCallCodecDriver",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../../../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        .executableTarget(
            name: "codec-driver",
            dependencies: [
                .product(name: "MMSClient", package: product),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
