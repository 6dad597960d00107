import Benchmark
import Foundation
import Logging
// MMSClient re-exports MMSMessages (the protobuf-c bridge), MMSRPC and, through MMSRPC,
// MMSWire (the frame codec): neither MMSWire nor MMSMessages is a product of the root package.
import MMSClient
import MMSRPCServer
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

// Per-operation cost (issue 5): allocations, bytes allocated, CPU and wall time of
//   Frame/*      the frame codec alone (MMSWire), as the server and client use it;
//   Proto/*      the protobuf-c codec alone (MMSMessages);
//   Call/*       whole unary calls over loopback TCP, 1 or 32 in flight on one connection:
//     "in-process"   server and client in this process: the allocations and CPU of both sides;
//     "server child" the server in a child process (this binary re-run with
//                    MMS_PERCALL_SERVE=1): the benchmark's own metrics are the client's
//                    alone; the child counts its own mallocs and frees (the same malloc
//                    interposer, inherited through LD_PRELOAD) and its CPU time, read before
//                    and after the measured loop over a side method, reported as "server ...".
// The codec operations live in CodecOps.swift, shared with the callgrind driver in callgrind/.
// Every metric marked * in the output is per operation (one encode, decode or call).
// Run: cd Benchmarks && swift package --scratch-path /tmp/h-percall-build benchmark --target PerCall
// Results: Benchmarks/results/per-call-and-memory.md

let benchmarks: @Sendable () -> Void = {
    if ProcessInfo.processInfo.environment["MMS_PERCALL_SERVE"] != nil {
        ChildServer.serveForever() // never returns
    }
    if let driver = ProcessInfo.processInfo.environment["MMS_PERCALL_DRIVER"] {
        CodecOps.drive(driver) // never returns
    }

    let codecMetrics: [BenchmarkMetric] = [
        .mallocCountTotal, .mallocBytesCount, .freeCountTotal, .cpuTotal, .wallClock, .throughput, .instructions,
    ]
    let micro = Benchmark.Configuration(
        metrics: codecMetrics, timeUnits: .nanoseconds, warmupIterations: 10, scalingFactor: .kilo,
        maxDuration: .seconds(2), maxIterations: 2000
    )

    // MARK: Frame codec (MMSWire) and protobuf-c codec (MMSMessages)

    for op in CodecOps.all {
        Benchmark(op.name, configuration: micro) { benchmark in
            let run = op.make()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { run() }
        }
    }

    // MARK: Whole calls over loopback TCP

    let callMetrics: [BenchmarkMetric] = [
        .mallocCountTotal, .mallocBytesCount, .freeCountTotal, .cpuTotal, .wallClock, .throughput, .instructions,
        .peakMemoryResident,
    ]
    let serverMetrics: [BenchmarkMetric] = callMetrics + [
        ServerMetric.mallocs, ServerMetric.mallocBytes, ServerMetric.frees, ServerMetric.freeBytes, ServerMetric.cpu,
    ]
    func callConfiguration(_ metrics: [BenchmarkMetric]) -> Benchmark.Configuration {
        .init(metrics: metrics, timeUnits: .microseconds, warmupIterations: 3, scalingFactor: .kilo, maxDuration: .seconds(8), maxIterations: 200)
    }

    for kind in CallKind.allCases {
        for inFlight in [1, 32] {
            let shape = inFlight == 1 ? "1 in flight" : "\(inFlight) in flight"
            Benchmark("Call/\(kind.label), \(shape), in-process (client+server)", configuration: callConfiguration(callMetrics)) { benchmark in
                let client = try await InProcess.shared.connectedClient()
                benchmark.startMeasurement()
                try await Calls.run(kind, client: client, calls: benchmark.scaledIterations.count, inFlight: inFlight)
            }
            Benchmark("Call/\(kind.label), \(shape), server child (client only; server ...)", configuration: callConfiguration(serverMetrics)) { benchmark in
                let child = try ChildProcess.shared()
                let before = try await child.stats()
                benchmark.startMeasurement()
                try await Calls.run(kind, client: child.client, calls: benchmark.scaledIterations.count, inFlight: inFlight)
                benchmark.stopMeasurement()
                let after = try await child.stats()
                benchmark.measurement(ServerMetric.mallocs, Int(after.mallocs - before.mallocs))
                benchmark.measurement(ServerMetric.mallocBytes, Int(after.mallocBytes - before.mallocBytes))
                benchmark.measurement(ServerMetric.frees, Int(after.frees - before.frees))
                benchmark.measurement(ServerMetric.freeBytes, Int(after.freeBytes - before.freeBytes))
                benchmark.measurement(ServerMetric.cpu, Int(after.cpuNanoseconds - before.cpuNanoseconds))
            }
        }
    }

    Benchmark.teardown = {
        ChildProcess.stop()
    }
}

// MARK: - Calls

enum CallKind: CaseIterable {
    case health, status
    var label: String {
        switch self {
        case .health: return "Health/Check"
        case .status: return "GetMigrationStatus (stub handler, 3 records)"
        }
    }
}

enum Calls {
    static func run(_ kind: CallKind, client: MMSClient, calls: Int, inFlight: Int) async throws {
        if inFlight == 1 {
            for _ in 0..<calls { try await once(kind, client) }
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<inFlight {
                let share = calls / inFlight + (worker < calls % inFlight ? 1 : 0)
                group.addTask {
                    for _ in 0..<share { try await once(kind, client) }
                }
            }
            try await group.waitForAll()
        }
    }

    @inline(__always)
    static func once(_ kind: CallKind, _ client: MMSClient) async throws {
        switch kind {
        case .health: blackHole(try await client.health())
        case .status: blackHole(try await client.migrationStatus(Fixtures.statusRequest))
        }
    }

    /// A router with the two methods the benchmarks call, plus the child's stats method.
    static func router(withStats: Bool) -> RPCRouter {
        final class Health: HealthHandler {
            func check(_ request: HealthCheckRequest, context: ServerContext) async throws -> HealthCheckResponse {
                HealthCheckResponse(status: .serving)
            }
        }
        var router = RPCRouter()
        Health().register(on: &router)
        let response = Fixtures.statusResponse
        router.register(MigrationServiceMethods.getMigrationStatus) { _, _ in response }
        if withStats {
            router.register(ServerStats.method) { _, _ in ServerStats.read().message }
        }
        return router
    }
}

// MARK: - Server in this process

actor InProcess {
    static let shared = InProcess()
    private var client: MMSClient?

    /// Starts the server (one event loop thread, as in rpc-bench) and its client on first use.
    func connectedClient() async throws -> MMSClient {
        if let client { return client }
        var logger = Logger(label: "percall-server")
        logger.logLevel = .error
        let server = RPCServer(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, eventLoopThreads: 1),
            router: Calls.router(withStats: false), logger: logger
        )
        Task.detached { try await server.run() }
        let port = try await server.listeningAddress().port!
        let client = try MMSClient(endpoint: "127.0.0.1:\(port)")
        _ = try await client.health()
        self.client = client
        return client
    }
}

/// Runs async work to completion from synchronous code (setup only, never in a measured region).
func blockingWait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) -> T {
    let semaphore = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, any Error>?
    Task.detached {
        do { result = .success(try await work()) } catch { result = .failure(error) }
        semaphore.signal()
    }
    semaphore.wait()
    return try! result!.get()
}

// MARK: - Server in a child process

enum ServerMetric {
    static let mallocs = BenchmarkMetric.custom("server mallocs (child)")
    static let mallocBytes = BenchmarkMetric.custom("server malloc bytes (child)")
    static let frees = BenchmarkMetric.custom("server frees (child)")
    static let freeBytes = BenchmarkMetric.custom("server free bytes (child)")
    static let cpu = BenchmarkMetric.custom("server CPU ns (child)")
}

/// The child's own counters: the malloc interposer's (looked up with dlsym, since the
/// interposer's module is not a dependency of this target) and the process CPU clock.
struct ServerStats: Sendable {
    var mallocs: Int64
    var mallocBytes: Int64
    var frees: Int64
    var freeBytes: Int64
    var cpuNanoseconds: Int64

    static let method = UnaryMethod<RawMessage, RawMessage>(fullName: "percall.Stats/Read")

    private typealias GetStats = @convention(c) (
        UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>,
        UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>
    ) -> Void
    private typealias Enable = @convention(c) () -> Void

    private static let getStats: GetStats? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_interposer_get_stats") else { return nil }
        return unsafeBitCast(symbol, to: GetStats.self)
    }()

    /// Turns the interposer's counting on; false when it is not in this process.
    static func enableCounting() -> Bool {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_interposer_enable") else { return false }
        unsafeBitCast(symbol, to: Enable.self)()
        return getStats != nil
    }

    /// Reads the counters; allocates nothing before the reads.
    static func read() -> ServerStats {
        var count: Int64 = 0, bytes: Int64 = 0, small: Int64 = 0, large: Int64 = 0, frees: Int64 = 0, freeBytes: Int64 = 0
        getStats?(&count, &bytes, &small, &large, &frees, &freeBytes)
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return ServerStats(
            mallocs: count, mallocBytes: bytes, frees: frees, freeBytes: freeBytes,
            cpuNanoseconds: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
    }

    var message: RawMessage { RawMessage("\(mallocs) \(mallocBytes) \(frees) \(freeBytes) \(cpuNanoseconds)") }

    init(mallocs: Int64, mallocBytes: Int64, frees: Int64, freeBytes: Int64, cpuNanoseconds: Int64) {
        self.mallocs = mallocs
        self.mallocBytes = mallocBytes
        self.frees = frees
        self.freeBytes = freeBytes
        self.cpuNanoseconds = cpuNanoseconds
    }

    init(_ message: RawMessage) {
        let fields = String(buffer: message.bytes).split(separator: " ").map { Int64($0)! }
        self.init(mallocs: fields[0], mallocBytes: fields[1], frees: fields[2], freeBytes: fields[3], cpuNanoseconds: fields[4])
    }
}

enum ChildServer {
    /// In the child: serve on an ephemeral port, print it, and live until the parent is gone.
    static func serveForever() -> Never {
        var logger = Logger(label: "percall-child")
        logger.logLevel = .error
        let server = RPCServer(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, eventLoopThreads: 1),
            router: Calls.router(withStats: true), logger: logger
        )
        Task.detached { try await server.run() }
        let port = blockingWait { try await server.listeningAddress().port! }
        let counting = ServerStats.enableCounting()
        FileHandle.standardOutput.write(Data("port \(port) counting \(counting)\n".utf8))
        let parent = getppid()
        while getppid() == parent { sleep(1) }
        exit(0)
    }
}

final class ChildProcess: @unchecked Sendable {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var current: ChildProcess?

    let process: Process
    let client: MMSClient

    static func shared() throws -> ChildProcess {
        lock.lock()
        defer { lock.unlock() }
        if let current { return current }
        let child = try ChildProcess()
        current = child
        return child
    }

    static func stop() {
        lock.lock()
        defer { lock.unlock() }
        current?.process.terminate()
        current?.process.waitUntilExit()
        current = nil
    }

    private init() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = []
        var environment = ProcessInfo.processInfo.environment
        environment["MMS_PERCALL_SERVE"] = "1"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw ChildError(message: "child server exited before it listened") }
            line.append(chunk)
        }
        let words = String(decoding: line, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.count >= 4, words[0] == "port", let port = Int(words[1]) else {
            throw ChildError(message: "unexpected line from child: \(String(decoding: line, as: UTF8.self))")
        }
        if words[3] != "true" {
            FileHandle.standardError.write(Data("warning: the child's malloc interposer is not counting (server mallocs will read 0)\n".utf8))
        }
        self.process = process
        self.client = try MMSClient(endpoint: "127.0.0.1:\(port)")
    }

    func stats() async throws -> ServerStats {
        ServerStats(try await self.client.call(ServerStats.method, RawMessage("")))
    }
}

struct ChildError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
