import Foundation
import Logging
import MMSClient
import MMSCore
import MMSRPCServer
import MMSServer
import Testing

/// A real MMS server (RPC, engine, SQLite files in a temporary folder) on a free loopback port.
struct ServerFixture {
    let application: MMSServerApplication
    let dataDirectory: String
    let endpoint: String
    let runTask: Task<Void, any Error>
    let operatorToken: String
    /// The metrics endpoint's port, when started with `metrics: true`.
    var metricsPort: Int?

    static func start(
        hold: Duration = .zero, dataDirectory: String? = nil, statusRetention: Duration = .seconds(150 * 86_400),
        leaseDuration: Duration = .seconds(30), metrics: Bool = false, watchLimits: WatchLimits = .defaults
    ) async throws -> ServerFixture {
        let directory = dataDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("mms-server-tests-\(UUID().uuidString)").path
        var rpc = ServerConfiguration(host: "127.0.0.1", port: 0, eventLoopThreads: 1)
        rpc.timeouts.shutdownGracePeriod = .seconds(2)
        let engine = MigrationEngineConfiguration(
            hold: hold, retrySchedule: RetrySchedule(delays: [.milliseconds(50), .milliseconds(50)]),
            workerCount: 2, leaseDuration: leaseDuration, statusRetention: statusRetention, pollInterval: .milliseconds(20)
        )
        var logger = Logger(label: "mms-server-tests")
        logger.logLevel = .critical
        var configuration = MMSServerApplication.Configuration(rpc: rpc, dataDirectory: directory, engine: engine)
        // Gauges read from the store at every scrape, so a test sees them move at once.
        configuration.metrics = metrics ? .init(host: "127.0.0.1", port: 0, storeGaugeInterval: .zero) : nil
        configuration.watchLimits = watchLimits
        let application = try await MMSServerApplication(configuration: configuration, logger: logger)
        let runTask = Task { try await application.run(gracefulShutdownSignals: []) }
        let address = try await application.rpcServer.listeningAddress()
        let token = try String(contentsOfFile: directory + "/operator-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let metricsPort = try await application.metricsEndpoint?.listeningAddress().port
        return ServerFixture(
            application: application, dataDirectory: directory, endpoint: "127.0.0.1:\(address.port!)", runTask: runTask, operatorToken: token,
            metricsPort: metricsPort)
    }

    func client(_ token: String?) throws -> MMSClient {
        try MMSClient(endpoint: self.endpoint, token: token, timeout: .seconds(10))
    }

    /// Creates a tenant and returns an admin and a reader token for it.
    func tenant(_ id: String) async throws -> (admin: String, reader: String) {
        let operatorClient = try self.client(self.operatorToken)
        defer { Task { await operatorClient.close() } }
        _ = try await operatorClient.call(AdminServiceMethods.createTenant, CreateTenantRequest(tenantId: id, displayName: id.capitalized))
        let admin = try await operatorClient.call(AdminServiceMethods.createToken, CreateTokenRequest(tenantId: id, role: .tenantAdmin))
        let reader = try await operatorClient.call(AdminServiceMethods.createToken, CreateTokenRequest(tenantId: id, role: .tenantReader))
        return (admin.token, reader.token)
    }

    func stop() async throws {
        self.runTask.cancel()
        try? await self.runTask.value
    }

    func removeData() {
        try? FileManager.default.removeItem(atPath: self.dataDirectory)
    }
}

/// Expects `body` to fail with `code` and returns the error.
@discardableResult
func expectStatus(_ code: StatusCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        Issue.record("expected \(code.name), but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as RPCError {
        #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected \(code.name), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + timeout
    while clock.now < end {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return false
}
