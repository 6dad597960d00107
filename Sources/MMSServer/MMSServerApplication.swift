import Foundation
import Logging
import MMSCore
import MMSMessages
import MMSRPC
import MMSRPCServer
import MMSSQLite
import ServiceLifecycle

/// Everything `mms-server` runs: the RPC server in front of the migration engine over SQLite.
public struct MMSServerApplication: Sendable {
    /// Settings of the whole server.
    public struct Configuration: Sendable {
        /// Where to listen, limits and timeouts of the RPC layer.
        public var rpc: ServerConfiguration
        /// The folder that holds the SQLite database; created if missing.
        public var dataDirectory: String
        /// Hold, retries, workers and leases of the engine.
        public var engine: MigrationEngineConfiguration
        /// The tenant every call acts on, until principals carry their own.
        public var tenant: String

        public init(rpc: ServerConfiguration = .defaults, dataDirectory: String = "mms-data", engine: MigrationEngineConfiguration = .defaults, tenant: String = "default") {
            self.rpc = rpc
            self.dataDirectory = dataDirectory
            self.engine = engine
            self.tenant = tenant
        }
    }

    public let configuration: Configuration
    public let engine: MigrationEngine
    public let rpcServer: RPCServer
    private let health: HealthService
    private let logger: Logger

    /// Opens the database (running its schema migrations) and builds the server.
    /// - Throws: when the data directory cannot be created or the database cannot be opened.
    public init(configuration: Configuration, logger: Logger) throws {
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let store = try SQLiteMigrationStore(directory: configuration.dataDirectory, logger: logger)
        let engine = MigrationEngine(store: store, configuration: configuration.engine, logger: logger)
        let tenants = TenantResolver(defaultTenant: TenantID(configuration.tenant))
        let health = HealthService()
        var router = RPCRouter()
        health.register(on: &router)
        MigrationService(engine: engine, tenants: tenants).register(on: &router)
        TenantConfigurationService(engine: engine, tenants: tenants).register(on: &router)
        self.configuration = configuration
        self.engine = engine
        self.health = health
        self.logger = logger
        self.rpcServer = RPCServer(configuration: configuration.rpc, router: router, logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully.
    public func run() async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: self.rpcServer),
                    .init(service: EngineService(engine: self.engine)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: self.logger
            )
        )
        try await withGracefulShutdownHandler {
            try await group.run()
        } onGracefulShutdown: {
            self.health.markNotServing()
        }
    }
}
