import Logging
import MMSClient
import MMSRPCServer
import NIOPosix

/// Our stack: `RPCServer` with the router, `MMSClient` on the other side.
enum MMSStack {
    static func serve(port: Int, threads: Int, work: BenchWork) async throws {
        var router = RPCRouter()
        router.register(HealthMethods.check) { request, _ in work.health(request) }
        router.register(MigrationServiceMethods.getMigrationStatus) { request, _ in try await work.status(request) }
        var logger = Logger(label: "peer-bench.mms")
        logger.logLevel = .error
        let configuration = ServerConfiguration(host: "127.0.0.1", port: port, eventLoopThreads: threads)
        try await RPCServer(configuration: configuration, router: router, logger: logger).run()
    }

    /// One connection of our client.
    struct Connection: BenchConnection {
        let client: MMSClient

        init(port: Int) throws {
            client = try MMSClient(endpoint: "127.0.0.1:\(port)", timeout: .seconds(30))
        }

        func call(_ call: BenchCall, identity: String) async throws {
            switch call {
            case .health: _ = try await client.health()
            case .status: _ = try await client.migrationStatus(GetMigrationStatusRequest(identity: identity))
            }
        }

        func close() async { await client.close() }
    }
}
