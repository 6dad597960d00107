import ArgumentParser
import Foundation
import Histogram
import Synchronization

/// Puts our RPC stack side by side with grpc-swift-2 (HTTP/2) and a bare SwiftNIO echo, each
/// server in a child process doing the same work, under the same load shapes from the same kind
/// of client. One `run` measures one stack under one shape and prints one JSON line;
/// `Benchmarks/compare` runs them all and prints the table.
@main
struct PeerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer-bench",
        abstract: "Our RPC server vs grpc-swift-2 vs a bare NIO echo, one stack and shape per run.",
        subcommands: [Run.self, Serve.self],
        defaultSubcommand: Run.self)
}

/// The server stacks.
enum Stack: String, ExpressibleByArgument, Sendable {
    case mms, grpc, echo
}

/// The calls benchmarked (the echo stack answers every call with the same echo).
enum BenchCall: String, ExpressibleByArgument, Sendable {
    case health, status
}

/// One client connection of a stack.
protocol BenchConnection: Sendable {
    func call(_ call: BenchCall, identity: String) async throws
    func close() async
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve one stack (started by `run`).")

    @Option var stack: Stack
    @Option var port: Int
    @Option var threads: Int = 1
    @Option var dataDirectory: String
    @Option var users: Int = 1000

    func run() async throws {
        switch stack {
        case .echo:
            try await EchoStack.serve(port: port, threads: threads)
        case .mms:
            try await MMSStack.serve(port: port, threads: threads, work: try await BenchWork(dataDirectory: dataDirectory, users: users))
        case .grpc:
            try await GRPCStack.serve(port: port, threads: threads, work: try await BenchWork(dataDirectory: dataDirectory, users: users))
        }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start one stack's server and measure it under one shape.")

    @Option(help: "mms, grpc or echo.") var stack: Stack
    @Option(help: "health or status (GetMigrationStatus by identity).") var call: BenchCall = .health
    @Option(help: "Connections.") var connections: Int = 1
    @Option(help: "Closed loop: calls in flight per connection.") var inFlight: Int = 1
    @Option(help: "Open loop: calls per second in all (replaces --in-flight).") var rate: Double?
    @Option(help: "Seconds to measure.") var seconds: Double = 3
    @Option(help: "Seconds of warm-up before measuring.") var warmup: Double = 1
    @Option(help: "Event loop threads of the server.") var serverThreads: Int = 1
    @Option(help: "Port for the server.") var port: Int = 17460
    @Option(help: "SQLite folder of the server (seeded on first use).") var dataDirectory: String = "/tmp/peer-bench-data"
    @Option(help: "Users (each with a queued migration) in the seeded store.") var users: Int = 1000

    func run() async throws {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        server.arguments = [
            "serve", "--stack", stack.rawValue, "--port", "\(port)", "--threads", "\(serverThreads)", "--data-directory", dataDirectory,
            "--users", "\(users)",
        ]
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let connections = try await connect(server: server)
        let identities = (0..<users).map { String(format: "user-%06d@bench.example.com", $0) }

        _ = await load(connections, identities: identities, seconds: warmup)
        let cpuBefore = try ProcStat.cpuSeconds(pid: server.processIdentifier)
        let (tally, elapsed) = await load(connections, identities: identities, seconds: seconds)
        let cpuAfter = try ProcStat.cpuSeconds(pid: server.processIdentifier)
        let memory = ProcStat.memory(pid: server.processIdentifier)
        for connection in connections { await connection.close() }

        let histogram = tally.latency
        func micros(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1000 }
        let result: [String: Any] = [
            "stack": stack.rawValue, "call": call.rawValue, "connections": self.connections,
            "shape": rate.map { "open \(Int($0))/s" } ?? "\(self.connections)x\(inFlight)",
            "calls": tally.calls, "errors": tally.errors, "seconds": elapsed,
            "calls_per_second": Double(tally.calls) / elapsed,
            "p50_us": micros(50), "p90_us": micros(90), "p99_us": micros(99), "p999_us": micros(99.9),
            "max_us": Double(histogram.max) / 1000,
            "server_cpu_us_per_call": tally.calls == 0 ? 0 : (cpuAfter - cpuBefore) / Double(tally.calls) * 1e6,
            "server_rss_kib": memory.rss, "server_peak_rss_kib": memory.peak, "server_threads": serverThreads,
        ]
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    /// Opens the connections once the server answers.
    // Not optimised: Swift 6.3.1's release build crashes splitting this coroutine otherwise.
    @_optimize(none)
    private func connect(server: Process) async throws -> [any BenchConnection] {
        let deadline = ContinuousClock.now + .seconds(60)  // the first start seeds the store
        while ContinuousClock.now < deadline, server.isRunning {
            if let probe = await probe() {
                var connections: [any BenchConnection] = [probe]
                while connections.count < self.connections { connections.append(try makeConnection()) }
                return connections
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("the \(stack.rawValue) server did not answer on port \(port)")
    }

    /// A connection that has answered a health call, or nil.
    @_optimize(none)
    private func probe() async -> (any BenchConnection)? {
        let connection: any BenchConnection
        do {
            connection = try makeConnection()
        } catch {
            return nil
        }
        do {
            try await connection.call(.health, identity: "")
            return connection
        } catch {
            await connection.close()
            return nil
        }
    }

    private func makeConnection() throws -> any BenchConnection {
        switch stack {
        case .mms: return try MMSStack.Connection(port: port)
        case .grpc: return try GRPCStack.Connection(port: port)
        case .echo: return try EchoStack.Connection(port: port)
        }
    }

    /// Closed loop (`inFlight` per connection) or open loop (`rate` in all, latency from each
    /// call's scheduled time) for `seconds`.
    private func load(_ connections: [any BenchConnection], identities: [String], seconds: Double) async -> (Tally, Double) {
        let begin = ContinuousClock.now
        let end = begin + .nanoseconds(Int64(seconds * 1e9))
        let call = self.call
        let inFlight = self.inFlight
        let rate = self.rate
        var total = Tally()
        await withTaskGroup(of: Tally.self) { group in
            for (index, connection) in connections.enumerated() {
                if let rate {
                    let interval = Double(connections.count) / rate
                    let offset = 1 / rate * Double(index)
                    group.addTask {
                        let shared = SharedTally()
                        await withDiscardingTaskGroup { calls in
                            var k = 0
                            while true {
                                let due = begin + .nanoseconds(Int64((offset + Double(k) * interval) * 1e9))
                                if due >= end { break }
                                if due - ContinuousClock.now > .microseconds(200) { try? await Task.sleep(until: due, clock: .continuous) }
                                let identity = identities[(index * 7919 + k) % identities.count]
                                calls.addTask {
                                    let failed = (try? await connection.call(call, identity: identity)) == nil
                                    let latency = ContinuousClock.now - due
                                    shared.tally.withLock { $0.record(latency, failed: failed) }
                                }
                                k += 1
                            }
                        }
                        return shared.tally.withLock { $0 }
                    }
                } else {
                    for slot in 0..<inFlight {
                        group.addTask {
                            var tally = Tally()
                            var k = (index * inFlight + slot) * 7919
                            while ContinuousClock.now < end {
                                let start = ContinuousClock.now
                                let failed = (try? await connection.call(call, identity: identities[k % identities.count])) == nil
                                tally.record(ContinuousClock.now - start, failed: failed)
                                k += 1
                            }
                            return tally
                        }
                    }
                }
            }
            for await tally in group { total.add(tally) }
        }
        let elapsed = ContinuousClock.now - begin
        return (total, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}

/// A tally that an open loop's calls share.
final class SharedTally: Sendable {
    let tally = Mutex(Tally())
}

/// Latencies (nanoseconds) and counts of some calls.
struct Tally: Sendable {
    var latency = Histogram<UInt64>(lowestDiscernibleValue: 1_000, highestTrackableValue: 120_000_000_000, numberOfSignificantValueDigits: .three)
    var calls = 0
    var errors = 0

    init() { latency.autoResize = true }

    mutating func record(_ duration: Duration, failed: Bool) {
        let (seconds, attoseconds) = duration.components
        _ = latency.record(max(1, UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)))
        calls += 1
        if failed { errors += 1 }
    }

    mutating func add(_ other: Tally) {
        latency.add(other.latency)
        calls += other.calls
        errors += other.errors
    }
}

/// What /proc says about a process.
enum ProcStat {
    /// User plus system CPU seconds, from /proc/PID/stat.
    static func cpuSeconds(pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (Double(fields[11])! + Double(fields[12])!) / ticks
    }

    /// Resident and peak resident memory in KiB, from /proc/PID/status.
    static func memory(pid: Int32) -> (rss: Int, peak: Int) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }
}
