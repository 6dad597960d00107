import ArgumentParser
import Foundation
import Logging
import MMSClient
import MMSRPCServer
import NIOPosix
import Synchronization

/// Measures calls per second and server CPU per call of the trivial `mms.v1.Health/Check` call.
///
/// The server runs in a child process (this binary with `serve`), so its CPU time can be
/// read from /proc without counting the client's. Results go to docs/PERFORMANCE.md.
@main
struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-bench",
        abstract: "Calls/s and server CPU per call of a trivial RPC over loopback.",
        subcommands: [Run.self, Serve.self],
        defaultSubcommand: Run.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve Health/Check only (started by `run`).")

    @Option var port: Int
    @Option var threads: Int = 1
    @Option var executor: String = "loop"

    func run() async throws {
        final class Health: HealthHandler {
            func check(_ request: HealthCheckRequest, context: ServerContext) async throws -> HealthCheckResponse {
                HealthCheckResponse(status: .serving)
            }
        }
        var router = RPCRouter()
        Health().register(on: &router)
        var logger = Logger(label: "bench-server")
        logger.logLevel = .error
        var configuration = ServerConfiguration(host: "127.0.0.1", port: self.port, eventLoopThreads: self.threads)
        configuration.handlerExecution = self.executor == "global" ? .globalExecutor : .connectionEventLoop
        let server = RPCServer(configuration: configuration, router: router, logger: logger)
        try await server.run()
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start a server process and measure it.")

    @Option(help: "Connections.") var connections: Int = 4
    @Option(help: "Calls in flight per connection.") var inFlight: Int = 32
    @Option(help: "Seconds to measure (after 1 s of warm-up).") var seconds: Double = 5
    @Option(help: "Event loop threads of the server.") var serverThreads: Int = 1
    @Option(help: "Port for the server.") var port: Int = 17450
    @Option(help: "Where the server runs handlers: loop (the connection's event loop) or global (Swift's global executor).")
    var executor: String = "loop"

    func run() async throws {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        server.arguments = ["serve", "--port", "\(self.port)", "--threads", "\(self.serverThreads)", "--executor", self.executor]
        try server.run()
        defer { server.terminate() }

        let clients = try (0..<self.connections).map { _ in try MMSClient(endpoint: "127.0.0.1:\(self.port)") }
        // Wait for the server to listen.
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await clients[0].health()) != nil
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        guard ready else { throw ValidationError("the server did not start on port \(self.port)") }

        _ = try await self.load(clients: clients, seconds: 1)
        let cpuBefore = try Self.cpuSeconds(pid: server.processIdentifier)
        let (calls, latencies) = try await self.load(clients: clients, seconds: self.seconds)
        let cpuAfter = try Self.cpuSeconds(pid: server.processIdentifier)
        for client in clients { await client.close() }

        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        let cpuPerCall = (cpuAfter - cpuBefore) / Double(calls) * 1_000_000
        print("shape: \(self.connections) connection(s) x \(self.inFlight) in flight, \(self.seconds) s, server threads \(self.serverThreads), handlers on \(self.executor)")
        print(String(format: "calls/s: %.0f", Double(calls) / self.seconds))
        print(String(format: "server CPU per call: %.2f µs", cpuPerCall))
        print(String(format: "latency p50: %.0f µs  p99: %.0f µs  max: %.0f µs", percentile(0.5), percentile(0.99), sorted.last ?? 0))
    }

    /// Runs closed-loop callers for `seconds`; returns the calls made and a latency sample (µs).
    private func load(clients: [MMSClient], seconds: Double) async throws -> (Int, [Double]) {
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        return try await withThrowingTaskGroup(of: (Int, [Double]).self) { group in
            for client in clients {
                for _ in 0..<self.inFlight {
                    group.addTask {
                        var count = 0
                        var sample: [Double] = []
                        sample.reserveCapacity(4096)
                        let clock = ContinuousClock()
                        while clock.now < end {
                            let start = clock.now
                            _ = try await client.health()
                            count += 1
                            if count % 8 == 0 {
                                let elapsed = clock.now - start
                                sample.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
                            }
                        }
                        return (count, sample)
                    }
                }
            }
            var total = 0
            var latencies: [Double] = []
            for try await (count, sample) in group {
                total += count
                latencies += sample
            }
            return (total, latencies)
        }
    }

    /// User plus system CPU seconds of a process, from /proc/PID/stat.
    static func cpuSeconds(pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        return (Double(fields[11])! + Double(fields[12])!) / ticks
    }
}
