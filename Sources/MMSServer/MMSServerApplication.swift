import Foundation
import GRDB
import Logging
import MMSCalDAV
import MMSCore
import MMSMessages
import MMSRPC
import MMSRPCServer
import MMSSMTP
import MMSSQLite
import NIOSSL
import Prometheus
import ServiceLifecycle
import UnixSignals

/// Everything `mms-server` runs: the RPC server in front of the migration engine, over SQLite in
/// the data directory or over the stores the caller built (``Configuration/stores``: PostgreSQL).
public struct MMSServerApplication: Sendable {
    /// The stores a server runs on, when not the data directory's SQLite files (issue 12): the
    /// engine's and the access store, each keeping the audit records of its changes.
    public struct Stores: Sendable {
        public var engine: any MigrationStore & AuditStore & StoreCounts
        public var access: any AccessStore & AuditStore
        /// Whether other servers share these stores (then tokens are re-read from the store periodically).
        public var shared: Bool
        /// What the stores are, for the start-up log line (no secret in it).
        public var description: String
        public init(engine: any MigrationStore & AuditStore & StoreCounts, access: any AccessStore & AuditStore, shared: Bool, description: String) {
            self.engine = engine
            self.access = access
            self.shared = shared
            self.description = description
        }
    }

    /// Settings of the whole server.
    public struct Configuration: Sendable {
        /// Where to listen, limits and timeouts of the RPC layer.
        public var rpc: ServerConfiguration
        /// The folder that holds the SQLite database (and the operator token and secrets); created if missing.
        public var dataDirectory: String
        /// The stores to run on; nil, the default, opens SQLite in ``dataDirectory``.
        public var stores: Stores?
        /// Hold, retries, workers and leases of the engine.
        public var engine: MigrationEngineConfiguration
        /// Builds a tenant's CalDAV mailbox; nil means the CalDAV connector (MMSCalDAV).
        public var calDAV: TenantMailboxes.CalDAVFactory?

        /// A PEM file of the certificates SMTP relays' must chain to, instead of the system's
        /// (a company CA, or a test's).
        public var smtpTrustRootsFile: String?

        /// Where to serve `GET /metrics` (Prometheus text format); nil, the default, serves none
        /// and costs the RPC path nothing (issue 13).
        public var metrics: MetricsListen?

        /// WatchMigration streams at once, per tenant and in all (issue 16).
        public var watchLimits: WatchLimits = .defaults

        /// The metrics listener's address.
        public struct MetricsListen: Sendable {
            public var host: String
            public var port: Int
            /// How long the store's gauges (migrations by state, outbox backlog) are kept between scrapes.
            public var storeGaugeInterval: Duration
            public init(host: String, port: Int, storeGaugeInterval: Duration = .seconds(5)) {
                self.host = host
                self.port = port
                self.storeGaugeInterval = storeGaugeInterval
            }
        }

        public init(
            rpc: ServerConfiguration = .defaults, dataDirectory: String = "mms-data", engine: MigrationEngineConfiguration = .defaults,
            calDAV: TenantMailboxes.CalDAVFactory? = nil, smtpTrustRootsFile: String? = nil
        ) {
            self.rpc = rpc
            self.dataDirectory = dataDirectory
            self.engine = engine
            self.calDAV = calDAV
            self.smtpTrustRootsFile = smtpTrustRootsFile
        }
    }

    public let configuration: Configuration
    let calDAVConnector: CalDAVConnector
    public let engine: MigrationEngine
    public let rpcServer: RPCServer
    /// The metrics endpoint, when `configuration.metrics` asks for one.
    public let metricsEndpoint: MetricsEndpoint?
    private let auditPruner: AuditPruneService
    private let tokenRefresh: TokenRefreshService?
    private let health: HealthService
    private let logger: Logger

    /// Where the first start wrote the operator token, if this start was the first.
    public let operatorTokenPath: String?

    /// Opens the databases (running their schema migrations) and builds the server.
    ///
    /// On the first start (no token at all) it creates an operator token and writes it to
    /// `<data-dir>/operator-token`, readable by its owner only: nothing is open by default.
    /// - Throws: ``DataDirectory/Refusal`` when the data directory cannot be created or other users
    ///   can write to it; a store's error when a database cannot be opened.
    public init(configuration: Configuration, logger: Logger) async throws {
        let store: any MigrationStore & AuditStore & StoreCounts
        let access: any AccessStore & AuditStore
        if let stores = configuration.stores {
            // Readable by the server's user alone, whatever the umask (issue 9): the token and secrets live there.
            for change in try DataDirectory.prepare(configuration.dataDirectory, files: []) { logger.notice("\(change)") }
            store = stores.engine
            access = stores.access
        } else {
            let files = [SQLiteMigrationStore.fileName, SQLiteAccessStore.fileName]
            // Readable by the server's user alone, whatever the umask (issue 9).
            for change in try DataDirectory.prepare(configuration.dataDirectory, files: files, before: { try DataFiles.check($0, files: files) }) {
                logger.notice("\(change)")
            }
            // A file damaged beyond its first page is found when its schema is read: named, never recreated (issue 14).
            func open<Store>(_ file: String, _ body: () throws -> Store) throws -> Store {
                do { return try body() } catch let error as DatabaseError {
                    throw DataDirectory.Refusal(description: "\((configuration.dataDirectory as NSString).appendingPathComponent(file)) cannot be used "
                        + "(\(error.message ?? "SQLite error \(error.resultCode.rawValue)")): restore it from a backup (nothing was changed)")
                }
            }
            store = try open(SQLiteMigrationStore.fileName) { try SQLiteMigrationStore(directory: configuration.dataDirectory, logger: logger) }
            access = try open(SQLiteAccessStore.fileName) { try SQLiteAccessStore(directory: configuration.dataDirectory) }
        }
        let auth = try await Authenticator.load(store: access)
        self.tokenRefresh = configuration.stores?.shared == true ? TokenRefreshService(auth: auth, logger: logger) : nil
        self.operatorTokenPath = try await auth.bootstrapOperatorToken(dataDirectory: configuration.dataDirectory)
        let secrets = try FileSecretStore(dataDirectory: configuration.dataDirectory)
        // Metrics (issue 13): one registry, swift-metrics' API over swift-prometheus' factory.
        var rpcConfiguration = configuration.rpc
        var engineConfiguration = configuration.engine
        var connectorMetrics: ConnectorMetrics?
        if let listen = configuration.metrics {
            let registry = PrometheusCollectorRegistry()
            let factory = MetricsSetup.factory(registry)
            rpcConfiguration.observer = RPCMetrics(factory: factory)
            engineConfiguration.observer = EngineMetrics(store: store, factory: factory, logger: logger)
            connectorMetrics = ConnectorMetrics(factory: factory)
            let gauges = StoreGauges(store: store, factory: factory, interval: listen.storeGaugeInterval, logger: logger)
            self.metricsEndpoint = MetricsEndpoint(host: listen.host, port: listen.port, registry: registry, logger: logger) {
                await gauges.refreshIfStale()
            }
        } else {
            self.metricsEndpoint = nil
        }
        var calDAVObserver: CalDAVMailbox.RequestObserver?
        if let metrics = connectorMetrics {
            calDAVObserver = { @Sendable method, status, nanoseconds in
                metrics.calDAVRequest(method: method, status: status, nanoseconds: nanoseconds)
            }
        }
        let connector = CalDAVConnector(logger: logger, requestObserver: calDAVObserver)
        let mailboxes = TenantMailboxes(
            store: store, secrets: secrets, calDAV: configuration.calDAV ?? { try connector.mailbox($0, password: $1) })
        // Invitations: SMTP for a tenant with mail settings, the built-in recorder for the others (issue 10).
        let trustRoots: NIOSSLTrustRoots = try configuration.smtpTrustRootsFile.map { .certificates(try NIOSSLCertificate.fromPEMFile($0)) }
            ?? .default
        let smtp = SMTPInvitationSender(
            store: store, configuration: SMTPClientConfiguration(trustRoots: trustRoots),
            password: { try secrets.secret(SecretName.smtpPassword($0)) }, logger: logger)
        let sender = TenantRoutingInvitationSender(
            store: store, smtp: connectorMetrics.map { ObservedInvitationSender(inner: smtp, metrics: $0) } ?? smtp, builtIn: StoreInvitationSender(store: store, clock: SystemMigrationClock()))
        let engine = MigrationEngine(store: store, configuration: engineConfiguration, sender: sender, mailboxes: mailboxes, logger: logger)
        // The audit trail (R8): each store records the changes it holds.
        let audit = Auditor(auth: auth, engineStore: store, accessStore: access, logger: logger)
        self.auditPruner = AuditPruneService(stores: [store, access], retention: configuration.engine.statusRetention, logger: logger)
        let health = HealthService()
        // Every call: errors mapped in one place, then its caller checked before its request is read (issue 16).
        var router = RPCRouter(interceptors: [ErrorBoundary(logger: logger), AccessInterceptor(auth: auth, audit: audit)])
        health.register(on: &router)
        AdminService(access: access, auth: auth, audit: audit).register(on: &router)
        MigrationService(engine: engine, auth: auth, audit: audit, watches: WatchLimiter(limits: configuration.watchLimits)).register(on: &router)
        TenantConfigurationService(
            engine: engine, auth: auth, audit: audit, secrets: secrets, mail: MailSettingsCalls(store: store, secrets: secrets, smtp: smtp)
        ).register(on: &router)
        DirectoryService(engine: engine, auth: auth, audit: audit).register(on: &router)
        CalendarService(engine: engine, auth: auth, audit: audit).register(on: &router)
        try AccessPolicy.check(router.methodNames)
        self.configuration = configuration
        self.calDAVConnector = connector
        self.engine = engine
        self.health = health
        self.logger = logger
        self.rpcServer = RPCServer(configuration: rpcConfiguration, router: router, logger: logger)
    }

    /// Serves until one of `signals` (or the task's cancellation), then shuts down gracefully.
    public func run(gracefulShutdownSignals signals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: self.rpcServer),
            .init(service: EngineService(engine: self.engine)),
            .init(service: self.auditPruner),
        ]
        if let metricsEndpoint = self.metricsEndpoint { services.append(.init(service: metricsEndpoint)) }
        if let tokenRefresh = self.tokenRefresh { services.append(.init(service: tokenRefresh)) }
        if let tls = self.configuration.rpc.tls {
            let hangups = await UnixSignalsSequence(trapping: .sighup)
            services.append(.init(service: TLSReloadService(tls: tls, hangups: hangups, logger: self.logger)))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: signals,
                logger: self.logger
            )
        )
        do {
            try await withGracefulShutdownHandler {
                try await group.run()
            } onGracefulShutdown: {
                self.health.markNotServing()
            }
        } catch {
            await self.calDAVConnector.shutdown()
            throw error
        }
        await self.calDAVConnector.shutdown()
    }
}
