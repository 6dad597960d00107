import ArgumentParser
import Foundation
import Logging
import MMSCore
import MMSPostgres
import MMSRPC
import MMSRPCServer
import MMSServer

/// `mms-server`: the Meeting Migration Service.
struct MMSServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mms-server",
        abstract: "Serve the Meeting Migration Service: the RPC API in front of the durable migration engine.",
        discussion: """
            Every option can also be set through the environment variable named in its help \
            (the flag wins). Stop the server with Ctrl-C or SIGTERM: it stops taking new calls, \
            lets calls in flight finish within the grace period, then exits.
            """
    )

    private static func env(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }

    @Option(help: "Address to listen on, HOST:PORT (env MMS_LISTEN).")
    var listen: String = env("MMS_LISTEN") ?? "127.0.0.1:7450"

    @Option(help: "Folder for the SQLite database; created if missing (env MMS_DATA_DIR).")
    var dataDir: String = env("MMS_DATA_DIR") ?? "mms-data"

    @Option(help: "Run on this PostgreSQL database instead of SQLite: postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…], shared by any number of servers (env MMS_DATABASE). The password may instead come from --database-password-file or PGPASSWORD.")
    var database: String? = env("MMS_DATABASE")

    @Option(help: "A file holding the PostgreSQL password (its first line), readable by the server's user only (env MMS_DATABASE_PASSWORD_FILE).")
    var databasePasswordFile: String? = env("MMS_DATABASE_PASSWORD_FILE")

    @Option(help: "How long a queued migration waits before it runs, e.g. 90m, 0 (MISSION M1; env MMS_HOLD).")
    var hold: String = env("MMS_HOLD") ?? "90m"

    @Option(help: "Delays before each retry of a failed migration, comma-separated (MISSION M7: at most 9 over 24h; env MMS_RETRY_SCHEDULE).")
    var retrySchedule: String = env("MMS_RETRY_SCHEDULE") ?? RetrySchedule.default.delays.map(DurationText.format).joined(separator: ",")

    @Option(help: "How long a worker's claim on a migration lasts without renewal: a migration whose worker stopped (a crash) resumes after this (env MMS_LEASE).")
    var lease: String = env("MMS_LEASE") ?? "5m"

    @Option(help: "How long finished status records are kept, then deleted (MISSION S2; env MMS_STATUS_RETENTION). Shorten it only to test S2.")
    var statusRetention: String = env("MMS_STATUS_RETENTION") ?? "150d"

    @Option(help: "Migration workers (env MMS_WORKERS).")
    var workers: Int = Int(env("MMS_WORKERS") ?? "") ?? 4

    @Option(help: "Open connections at most; more are refused with RESOURCE_EXHAUSTED (env MMS_MAX_CONNECTIONS).")
    var maxConnections: Int = Int(env("MMS_MAX_CONNECTIONS") ?? "") ?? ServerConfiguration.Limits.defaults.maxConnections

    @Option(help: "Calls in flight per connection at most (env MMS_MAX_CALLS_PER_CONNECTION).")
    var maxCallsPerConnection: Int = Int(env("MMS_MAX_CALLS_PER_CONNECTION") ?? "") ?? ServerConfiguration.Limits.defaults.maxConcurrentCallsPerConnection

    @Option(help: "WatchMigration streams at once on the whole server (env MMS_MAX_WATCHES).")
    var maxWatches: Int = Int(env("MMS_MAX_WATCHES") ?? "") ?? WatchLimits.defaults.total

    @Option(help: "WatchMigration streams at once for one tenant, all its tokens together (env MMS_MAX_WATCHES_PER_TENANT).")
    var maxWatchesPerTenant: Int = Int(env("MMS_MAX_WATCHES_PER_TENANT") ?? "") ?? WatchLimits.defaults.perTenant

    @Option(help: "Largest frame payload in bytes (env MMS_MAX_FRAME_BYTES).")
    var maxFrameBytes: Int = Int(env("MMS_MAX_FRAME_BYTES") ?? "") ?? ServerConfiguration.Limits.defaults.maxFramePayload

    @Option(help: "Largest call metadata in bytes (env MMS_MAX_METADATA_BYTES).")
    var maxMetadataBytes: Int = Int(env("MMS_MAX_METADATA_BYTES") ?? "") ?? ServerConfiguration.Limits.defaults.maxMetadataSize

    @Option(help: "Close connections with no call for this long (env MMS_IDLE_TIMEOUT).")
    var idleTimeout: String = env("MMS_IDLE_TIMEOUT") ?? "15m"

    @Option(help: "On shutdown, how long calls in flight may take to finish (env MMS_SHUTDOWN_GRACE).")
    var shutdownGrace: String = env("MMS_SHUTDOWN_GRACE") ?? "10s"

    @Option(help: "Ping each connection this often (docs/PROTOCOL.md §7; env MMS_KEEPALIVE_INTERVAL).")
    var keepaliveInterval: String = env("MMS_KEEPALIVE_INTERVAL") ?? "60s"

    @Option(help: "Close a connection whose PONG has not come this long after the ping (env MMS_KEEPALIVE_TIMEOUT).")
    var keepaliveTimeout: String = env("MMS_KEEPALIVE_TIMEOUT") ?? "20s"

    @Option(help: "Event loop threads; 0 = one per core (env MMS_THREADS).")
    var threads: Int = Int(env("MMS_THREADS") ?? "") ?? 0

    @Option(help: "A PEM file of the CA certificates SMTP relays must chain to, instead of the system's (env MMS_SMTP_CA_FILE).")
    var smtpCaFile: String? = env("MMS_SMTP_CA_FILE")

    // MARK: Metrics (issue 13)

    @Option(help: "Serve GET /metrics (Prometheus text format) on this HOST:PORT, apart from the RPC port; off when not given. A loopback address unless --metrics-listen-any (env MMS_METRICS_LISTEN).")
    var metricsListen: String? = env("MMS_METRICS_LISTEN")

    @Flag(help: "Allow --metrics-listen on an address other than loopback: the metrics carry no secret, but they tell how busy the server is and which calls fail (env MMS_METRICS_LISTEN_ANY=1).")
    var metricsListenAny: Bool = env("MMS_METRICS_LISTEN_ANY") == "1"

    @Option(help: "trace, debug, info, notice, warning, error or critical; debug adds one line per call (env MMS_LOG_LEVEL).")
    var logLevel: String = env("MMS_LOG_LEVEL") ?? "info"

    @Option(help: "text, or json: one JSON object per line (timestamp, level, message, metadata; env MMS_LOG_FORMAT).")
    var logFormat: String = env("MMS_LOG_FORMAT") ?? "text"

    @Option(help: "Serve TLS with this PEM certificate chain, the server's certificate first (with --tls-key; env MMS_TLS_CERTIFICATE). Reloaded on SIGHUP.")
    var tlsCertificate: String?

    @Option(help: "The PEM private key of --tls-certificate; must be readable by the server's user only (env MMS_TLS_KEY).")
    var tlsKey: String?

    @Option(help: "Require client certificates issued by the CAs of this PEM file (mutual TLS; needs --tls-certificate; env MMS_TLS_CLIENT_CA).")
    var tlsClientCa: String?

    func validate() throws {
        _ = try self.parsedListen()
        _ = try self.parsedDurations()
        guard self.workers >= 1 else { throw ValidationError("--workers must be at least 1, not \(self.workers)") }
        for (name, value) in [("--max-connections", self.maxConnections), ("--max-calls-per-connection", self.maxCallsPerConnection),
                              ("--max-frame-bytes", self.maxFrameBytes), ("--max-metadata-bytes", self.maxMetadataBytes),
                              ("--max-watches", self.maxWatches), ("--max-watches-per-tenant", self.maxWatchesPerTenant)] where value < 1 {
            throw ValidationError("\(name) must be at least 1, not \(value)")
        }
        guard self.threads >= 0 else { throw ValidationError("--threads must be 0 or more") }
        guard ["text", "json"].contains(self.logFormat) else { throw ValidationError("--log-format \"\(self.logFormat)\" is not text or json") }
        _ = try self.tlsFiles()
        _ = try self.parsedMetricsListen()
        _ = try self.databaseSettings()
        guard Logger.Level(rawValue: self.logLevel) != nil else { throw ValidationError("--log-level \"\(self.logLevel)\" is not one of trace, debug, info, notice, warning, error, critical") }
    }

    /// The TLS files (the flags, else their MMS_TLS_… variables), nil without TLS; --tls-certificate and --tls-key go together.
    private func tlsFiles() throws -> ServerTLSConfiguration? {
        func value(_ flag: String?, _ variable: String) -> String? { flag ?? Self.env(variable).flatMap { $0.isEmpty ? nil : $0 } }
        let clientCA = value(self.tlsClientCa, "MMS_TLS_CLIENT_CA")
        switch (value(self.tlsCertificate, "MMS_TLS_CERTIFICATE"), value(self.tlsKey, "MMS_TLS_KEY")) {
        case (nil, nil):
            guard clientCA == nil else { throw ValidationError("--tls-client-ca needs --tls-certificate and --tls-key: mutual TLS is TLS first") }
            return nil
        case (let certificate?, let key?):
            return ServerTLSConfiguration(certificateChainFile: certificate, privateKeyFile: key, clientCAFile: clientCA)
        case (_?, nil):
            throw ValidationError("--tls-certificate needs --tls-key (or MMS_TLS_KEY): the certificate's private key")
        case (nil, _?):
            throw ValidationError("--tls-key needs --tls-certificate (or MMS_TLS_CERTIFICATE): the certificate the key belongs to")
        }
    }

    /// The PostgreSQL settings of --database, the password from the URL, --database-password-file
    /// or PGPASSWORD (in that order); nil for SQLite. Errors never repeat the password.
    private func databaseSettings() throws -> PostgresSettings? {
        guard let url = self.database, !url.isEmpty else {
            guard self.databasePasswordFile == nil else { throw ValidationError("--database-password-file needs --database postgres://…") }
            return nil
        }
        var settings: PostgresSettings
        do { settings = try PostgresSettings(url: url) } catch { throw ValidationError("--database: \(error)") }
        if let file = self.databasePasswordFile {
            guard settings.password == nil else {
                throw ValidationError("--database has a password and --database-password-file gives another: give one")
            }
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw ValidationError("--database-password-file \(file) cannot be read: \(error.localizedDescription)")
            }
            var info = stat()
            if stat(file, &info) == 0, info.st_mode & 0o077 != 0 {
                throw ValidationError("--database-password-file \(file) can be read by other users: chmod 600 \(file)")
            }
            settings.password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        } else if settings.password == nil, let password = Self.env("PGPASSWORD") {
            settings.password = password
        }
        return settings
    }

    private func parsedListen() throws -> (String, Int) {
        do {
            return try Endpoint.parse(self.listen)
        } catch {
            throw ValidationError("--listen: \(error.message)")
        }
    }

    /// The metrics listener's address; nil when metrics are off.
    private func parsedMetricsListen() throws -> MMSServerApplication.Configuration.MetricsListen? {
        guard let text = self.metricsListen else { return nil }
        let (host, port): (String, Int)
        do { (host, port) = try Endpoint.parse(text) } catch { throw ValidationError("--metrics-listen: \(error.message)") }
        guard self.metricsListenAny || FieldRules.isLoopback(host) else {
            throw ValidationError("--metrics-listen \(text) is not a loopback address: give 127.0.0.1:PORT, or add --metrics-listen-any to serve the metrics to other machines")
        }
        guard "\(host):\(port)" != self.listen || port == 0 else {
            throw ValidationError("--metrics-listen \(text) is the RPC address (--listen): give the metrics a port of their own")
        }
        return .init(host: host, port: port)
    }

    private struct Durations {
        var hold, idle, grace, lease, retention: Duration
        var keepaliveInterval = Duration.seconds(60), keepaliveTimeout = Duration.seconds(20)
        var retries: [Duration]
    }

    private func parsedDurations() throws -> Durations {
        func parse(_ option: String, _ text: String) throws -> Duration {
            do { return try DurationText.parse(text) } catch { throw ValidationError("\(option): \(error.description)") }
        }
        // Empty means no retries; otherwise every comma-separated item must be a duration.
        let retries = self.retrySchedule.trimmingCharacters(in: .whitespaces).isEmpty ? [] :
            try self.retrySchedule.split(separator: ",", omittingEmptySubsequences: false).map { try parse("--retry-schedule", String($0)) }
        guard retries.count <= RetrySchedule.maximumRetries else {
            throw ValidationError("--retry-schedule has \(retries.count) delays; MISSION M7 allows at most \(RetrySchedule.maximumRetries) retries")
        }
        let span = retries.reduce(Duration.zero, +)
        guard span <= RetrySchedule.maximumSpan else {
            throw ValidationError("--retry-schedule adds up to \(DurationText.format(span)); MISSION M7 allows retries over \(DurationText.format(RetrySchedule.maximumSpan)) at most")
        }
        var durations = Durations(
            hold: try parse("--hold", self.hold), idle: try parse("--idle-timeout", self.idleTimeout), grace: try parse("--shutdown-grace", self.shutdownGrace),
            lease: try parse("--lease", self.lease), retention: try parse("--status-retention", self.statusRetention), retries: retries)
        durations.keepaliveInterval = try parse("--keepalive-interval", self.keepaliveInterval)
        durations.keepaliveTimeout = try parse("--keepalive-timeout", self.keepaliveTimeout)
        guard durations.keepaliveInterval >= .seconds(1), durations.keepaliveTimeout >= .seconds(1) else {
            throw ValidationError("--keepalive-interval and --keepalive-timeout must be at least 1s, not \(self.keepaliveInterval) and \(self.keepaliveTimeout)")
        }
        guard durations.lease >= .seconds(1) else { throw ValidationError("--lease must be at least 1s, not \(self.lease)") }
        guard durations.retention >= .seconds(1) else { throw ValidationError("--status-retention must be at least 1s, not \(self.statusRetention)") }
        return durations
    }

    func run() async throws {
        // Every file the server creates is its user's alone (issue 9); DataDirectory checks the rest.
        umask(0o077)
        let level = Logger.Level(rawValue: self.logLevel) ?? .info
        if self.logFormat == "json" {
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        } else {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        let logger = Logger(label: "mms-server")
        let (host, port) = try self.parsedListen()
        let durations = try self.parsedDurations()
        var rpc = ServerConfiguration(host: host, port: port, eventLoopThreads: self.threads)
        rpc.limits = .init(
            maxFramePayload: self.maxFrameBytes, maxConcurrentCallsPerConnection: self.maxCallsPerConnection,
            maxConnections: self.maxConnections, maxMetadataSize: self.maxMetadataBytes
        )
        rpc.timeouts.idle = durations.idle
        rpc.timeouts.shutdownGracePeriod = durations.grace
        rpc.timeouts.keepaliveInterval = durations.keepaliveInterval
        rpc.timeouts.keepaliveTimeout = durations.keepaliveTimeout
        // Loaded before the data directory is touched: a refused key file leaves nothing behind.
        // Refused as the data directory is: one line naming the file and the fix, exit 1.
        if let files = try self.tlsFiles() {
            rpc.tls = try ServerTLS(configuration: files)
        }
        let engine = MigrationEngineConfiguration(
            hold: durations.hold, retrySchedule: RetrySchedule(delays: durations.retries), workerCount: self.workers,
            leaseDuration: durations.lease, statusRetention: durations.retention)
        var configuration = MMSServerApplication.Configuration(
            rpc: rpc, dataDirectory: self.dataDir, engine: engine, smtpTrustRootsFile: self.smtpCaFile)
        configuration.metrics = try self.parsedMetricsListen()
        configuration.watchLimits = WatchLimits(total: self.maxWatches, perTenant: self.maxWatchesPerTenant)
        // The composition root: SQLite in the data directory, or the PostgreSQL database all servers share (issue 12).
        var backend: PostgresBackend?
        if let settings = try self.databaseSettings() {
            // Unreachable, a wrong password, a schema newer than this binary: one line, where and why
            // (never the password), exit 1.
            let postgres = try await PostgresBackend(settings: settings, logger: logger)
            backend = postgres
            configuration.stores = MMSServerApplication.Stores(
                engine: PostgresMigrationStore(backend: postgres), access: PostgresAccessStore(backend: postgres), shared: true,
                description: settings.description)
        }
        let application = try await MMSServerApplication(configuration: configuration, logger: logger)
        if let path = application.operatorTokenPath {
            logger.notice("first start: the operator token was written to \(path) (readable by you only); use it with: export MMS_TOKEN=$(cat \(path))")
        }
        logger.info("mms-server starting", metadata: [
            "listen": "\(self.listen)", "data-dir": "\(self.dataDir)", "database": "\(configuration.stores?.description ?? "sqlite")", "hold": "\(self.hold)", "workers": "\(self.workers)",
            "lease": "\(self.lease)", "status-retention": "\(self.statusRetention)", "tls": "\(rpc.tls?.summary ?? "off")",
        ])
        do {
            try await application.run()
        } catch {
            await backend?.shutdown()
            throw error
        }
        await backend?.shutdown()
    }
}

// A top-level `await Command.main()` picks ArgumentParser's synchronous main; a function picks the async one.
func runServer() async { await MMSServerCommand.main() }
await runServer()
