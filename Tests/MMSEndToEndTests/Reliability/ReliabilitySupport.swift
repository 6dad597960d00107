import Foundation
import MMSClient
import Synchronization
import Testing

/// Issue 14, "Crashes, faults and overload": the knobs, clients and probes the reliability tests
/// share. The tests run one small round in CI; `Benchmarks/reliability` runs them again with
/// larger knobs (environment variables) and many rounds, and collects the `RELIABILITY {json}`
/// lines they print.
enum Knobs {
    /// An integer knob from the environment, or `fallback`.
    static func int(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? fallback
    }

    /// Prints one result line for the benchmark scripts: `RELIABILITY {"kind": …, …}`.
    static func report(_ kind: String, _ fields: [String: any Sendable]) {
        var object: [String: Any] = ["kind": kind]
        for (key, value) in fields { object[key] = value }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        print("RELIABILITY \(String(decoding: data, as: UTF8.self))")
    }
}

/// A tenant made through the API (much faster than one `mms` process per call), with its admin client.
struct APITenant: Sendable {
    let id: String
    let adminToken: String
    let admin: MMSClient

    /// Creates a tenant and a tenant-admin token with the operator's token.
    static func make(on server: ServerProcess, name: String) async throws -> APITenant {
        let id = "\(name)-\(UUID().uuidString.prefix(8).lowercased())"
        let operatorClient = try MMSClient(endpoint: server.endpoint, token: server.operatorToken, timeout: .seconds(30))
        _ = try await operatorClient.call(AdminServiceMethods.createTenant, CreateTenantRequest(tenantId: id, displayName: "Reliability \(id)"))
        let token = try await operatorClient.call(
            AdminServiceMethods.createToken, CreateTokenRequest(tenantId: id, role: .tenantAdmin, description: "reliability")
        ).token
        await operatorClient.close()
        return APITenant(id: id, adminToken: token, admin: try MMSClient(endpoint: server.endpoint, token: token, timeout: .seconds(30)))
    }

    /// A new admin client of this tenant on `server`'s current endpoint (after a restart).
    func client(on server: ServerProcess, timeout: Duration = .seconds(30)) throws -> MMSClient {
        try MMSClient(endpoint: server.endpoint, token: adminToken, timeout: timeout)
    }

    func identity(_ index: Int) -> String { "user-\(String(format: "%06d", index))@\(id).example.com" }

    /// Creates users `0..<count` (homed online), `concurrency` calls in flight.
    func createUsers(_ count: Int, homing: Homing = .online, concurrency: Int = 64) async throws {
        let admin = self.admin
        try await Parallel.forEach(0..<count, concurrency: concurrency) { index in
            let user = User(userPrincipalName: self.identity(index), homing: homing, mailbox: .online)
            _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: user))
        }
    }
}

enum Parallel {
    /// Runs `body` for every element of `range`, at most `concurrency` at once; rethrows the first error.
    static func forEach(
        _ range: Range<Int>, concurrency: Int, _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = range.lowerBound
            while next < min(range.lowerBound + concurrency, range.upperBound) {
                let index = next
                group.addTask { try await body(index) }
                next += 1
            }
            while try await group.next() != nil {
                if next < range.upperBound {
                    let index = next
                    group.addTask { try await body(index) }
                    next += 1
                }
            }
        }
    }
}

/// What `/proc` says about a process: resident memory and open file descriptors.
enum ProcessProbe {
    /// Resident set size in KiB (`VmRSS` of /proc/<pid>/status).
    static func residentKiB(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
        }
        return -1
    }

    /// Open file descriptors (entries of /proc/<pid>/fd).
    static func openFiles(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// The number of the process's open sockets: what an attack on connections can leak. (The
    /// store's SQLite read connections are opened on demand, up to a bounded pool, and each holds
    /// regular files; they are not what these tests look for.)
    static func openSockets(_ pid: Int32) -> Int {
        let directory = "/proc/\(pid)/fd"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return -1 }
        return entries.filter { entry in
            ((try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + entry)) ?? "").hasPrefix("socket:")
        }.count
    }

    /// Whether the process still exists.
    static func alive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }
}

/// Reads an SQLite file with Python's `sqlite3` module (the standard library: python3 is on every
/// CI machine for aiosmtpd), so the tests read the server's files without linking SQLite themselves.
enum SQLiteProbe {
    /// Runs `script` (Python, with `db` an open connection to `path`) and returns what it printed.
    static func python(_ path: String, _ script: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let program = "import sqlite3, sys\ndb = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)\n" + script
        process.arguments = ["python3", "-c", program, path]
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure("python3 sqlite3 on \(path) failed: \(String(decoding: errorData, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Every row of every table, in a stable order: equal dumps mean nothing was stored.
    static func dump(_ path: String) throws -> String {
        try python(path, """
            for line in db.iterdump():
                print(line)
            """)
    }
}

/// A counter shared by concurrent tasks.
final class Counter: Sendable {
    private let value = Mutex(0)
    @discardableResult
    func increment() -> Int { value.withLock { $0 += 1; return $0 } }
    var current: Int { value.withLock { $0 } }
}

/// Latencies of one well-behaved client, in microseconds.
final class Latencies: Sendable {
    private let samples = Mutex<[Int]>([])
    private let failures = Mutex<[String]>([])
    func add(_ micros: Int) { samples.withLock { $0.append(micros) } }
    func fail(_ message: String) { failures.withLock { $0.append(message) } }
    var count: Int { samples.withLock { $0.count } }
    var errors: [String] { failures.withLock { $0 } }
    /// The `p`-th percentile (0…100), or -1 without samples.
    func percentile(_ p: Double) -> Int {
        let sorted = samples.withLock { $0.sorted() }
        guard !sorted.isEmpty else { return -1 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p / 100).rounded(.up)) - 1)]
    }
    var maximum: Int { samples.withLock { $0.max() ?? -1 } }
}

/// A flag set once by one task or thread and read by others.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}

/// A value written by one task or thread and read by others.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    var current: Value {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
    /// Changes the value in place, under the lock.
    func update(_ body: (inout Value) -> Void) { value.withLock { body(&$0) } }
}
