// swift-tools-version:6.1
import PackageDescription

/// Layers, bottom to top (an import never runs back up this list):
/// wire framing (MMSWire) → typed RPC (MMSRPC, MMSRPCServer, MMSRPCClient)
/// → messages (CMMSProtos, MMSMessages) → migration core (MMSCore, over MMSICalendar)
/// → storage backends (MMSSQLite) and connectors (MMSCalDAV; MMSMIME → MMSSMTP)
/// → executables (mms-server; mms and mms-load under Clients/).
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "MeetingMigrationService",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mms-server", targets: ["mms-server"]),
        .executable(name: "mms", targets: ["mms"]),
        .executable(name: "mms-load", targets: ["mms-load"]),
        .library(name: "MMSClient", targets: ["MMSClient"]),
        .library(name: "MMSRPCServer", targets: ["MMSRPCServer"]),
        .library(name: "MMSServer", targets: ["MMSServer"]),
        // The engine and its SQLite store alone (Benchmarks/engine-bench builds only these).
        .library(name: "MMSSQLite", targets: ["MMSSQLite"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Metrics (issue 13): swift-metrics' API, exported by swift-prometheus.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // PostgreSQL, the second storage backend (issue 12).
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // MARK: C libraries
        .systemLibrary(
            name: "CProtobufC",
            pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"])]
        ),
        .target(
            name: "CMMSProtos",
            dependencies: ["CProtobufC"],
            exclude: ["README.md"]
        ),

        // MARK: Wire framing and typed RPC
        .target(
            name: "MMSWire",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .target(
            name: "MMSRPC",
            dependencies: ["MMSWire", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl")],
            swiftSettings: strict
        ),
        .target(
            name: "MMSRPCServer",
            dependencies: [
                "MMSRPC", "MMSWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "MMSRPCClient",
            dependencies: [
                "MMSRPC", "MMSWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: Messages (protobuf-c)
        .target(
            name: "MMSMessages",
            dependencies: ["CMMSProtos", "CProtobufC", "MMSRPC", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),

        // MARK: Migration core and storage
        .target(
            name: "MMSCore",
            dependencies: ["MMSICalendar", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The stored forms both backends write (binary users, meetings, invitations; JSON; times).
        .target(name: "MMSStoredForms", dependencies: ["MMSCore"], swiftSettings: strict),
        .target(
            name: "MMSSQLite",
            dependencies: [
                "MMSCore", "MMSStoredForms",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the one statement read without GRDB's row layer (StatusRows.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        .target(
            name: "MMSPostgres",
            dependencies: [
                "MMSCore", "MMSStoredForms",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: Connectors: iCalendar (RFC 5545), the CalDAV mailbox (RFC 4791), MIME and SMTP
        .target(name: "MMSICalendar", exclude: ["README.md"], swiftSettings: strict),
        .target(
            name: "MMSCalDAV",
            dependencies: [
                "MMSCore", "MMSICalendar",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(name: "MMSMIME", swiftSettings: strict),
        .target(
            name: "MMSSMTP",
            dependencies: [
                "MMSCore", "MMSMIME", "MMSICalendar",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        .target(
            name: "MMSCoreTesting",
            dependencies: ["MMSCore"],
            swiftSettings: strict
        ),
        .target(name: "MMSMailTesting", swiftSettings: strict),
        // A real PostgreSQL server for tests, started by them (issue 12).
        .target(name: "MMSPostgresTesting", swiftSettings: strict),
        .executableTarget(
            name: "mms-engine-crashtest",
            dependencies: ["MMSCore", "MMSSQLite", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),

        // MARK: Server, client library, executables
        .target(
            name: "MMSServer",
            dependencies: [
                "MMSRPCServer", "MMSMessages", "MMSCore", "MMSSQLite", "MMSCalDAV", "MMSSMTP",
                // SQLite's error codes, mapped to statuses (StorageErrors.swift).
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "mms-server",
            dependencies: [
                "MMSServer", "MMSPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "MMSClient",
            dependencies: ["MMSRPCClient", "MMSMessages"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "mms",
            dependencies: ["MMSClient", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Clients/mms",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "mms-load",
            dependencies: [
                "MMSClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Clients/mms-load",
            swiftSettings: strict
        ),

        // MARK: Tests
        .testTarget(
            name: "MMSWireTests",
            dependencies: ["MMSWire", .product(name: "NIOTestUtils", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MMSRPCTests",
            dependencies: [
                "MMSRPCServer", "MMSRPCClient", "MMSMessages",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MMSMessagesTests",
            dependencies: ["MMSMessages"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MMSServerTests",
            dependencies: [
                "MMSServer", "MMSClient", "MMSCore", "MMSRPCServer", .product(name: "Logging", package: "swift-log"),
                // A real HTTP client scrapes the metrics endpoint (issue 13).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MMSCoreTests",
            dependencies: ["MMSCore", "MMSCoreTesting", "MMSSQLite"],
            swiftSettings: strict
        ),
        .testTarget(name: "MMSICalendarTests", dependencies: ["MMSICalendar"], swiftSettings: strict),
        .testTarget(
            name: "MMSCalDAVTests",
            dependencies: [
                "MMSCalDAV", "MMSCore", "MMSICalendar",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "MMSEndToEndTests", dependencies: ["MMSClient", "MMSMailTesting", "MMSPostgresTesting"], swiftSettings: strict),
        .testTarget(name: "MMSLoadTests", dependencies: ["MMSClient"], swiftSettings: strict),
        .testTarget(name: "MMSMIMETests", dependencies: ["MMSMIME"], swiftSettings: strict),
        .testTarget(
            name: "MMSSMTPTests",
            dependencies: [
                "MMSSMTP", "MMSMIME", "MMSCore", "MMSCoreTesting", "MMSSQLite", "MMSMailTesting",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Replays Fuzz/Corpus and Fuzz/Regressions through the fuzz targets' properties (Fuzz/README.md).
        .testTarget(
            name: "FuzzRegressionTests",
            dependencies: [
                "MMSWire", "MMSRPC", "MMSMessages", "MMSCore", "MMSICalendar", "MMSMIME", "MMSSMTP", "MMSCalDAV",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Fuzz",
            sources: ["Targets", "Tests"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MMSPostgresTests",
            dependencies: [
                "MMSPostgres", "MMSPostgresTesting", "MMSCore", "MMSCoreTesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MMSSQLiteTests",
            dependencies: [
                "MMSSQLite", "MMSCore", "MMSCoreTesting", "MMSStoredForms", "mms-engine-crashtest",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
    ]
)
