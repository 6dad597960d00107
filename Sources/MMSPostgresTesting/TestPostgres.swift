import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real PostgreSQL server for tests (issue 12), started once per test process and shared; each
/// test gets a database of its own (``createDatabase()``).
///
/// The server is Debian's `postgresql` package (`.ci/install-deps` installs it): `initdb` into a
/// fresh temporary folder, then `postgres` listening on a free loopback port only, with its unix
/// socket in that folder. PostgreSQL refuses to run as root, so when the tests run as root the
/// folder is given to the `postgres` system user the package creates and both programs run as it
/// (`runuser -u postgres`); otherwise they run as the current user. TCP needs a password
/// (SCRAM); the socket trusts local users.
///
/// The server is started under a small shell that holds a pipe from this process: when the test
/// process ends, however it ends, the pipe closes and the shell stops the server (fast shutdown)
/// and deletes the folder.
///
/// `MMS_TEST_POSTGRES_URL=postgres://USER:PASSWORD@HOST:PORT/DB` runs the tests against a server
/// of one's own instead (the user must be allowed to create databases).
public final class TestPostgres: @unchecked Sendable {
    /// The user the tests connect as, and its password (a test server's, not a secret).
    public let user: String
    public let password: String
    public let host: String
    public let port: Int
    /// The folder of the server's unix socket (nil for a server of one's own).
    public let socketFolder: String?
    /// The folder of the server's files (nil for a server of one's own).
    public let dataFolder: String?
    private let adminURL: String
    private let guardian: Process?
    private let guardianInput: Pipe?
    private let counter = Atomic<Int>(0)

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    private static let shared = Mutex<Result<TestPostgres, Failure>?>(nil)

    /// The process's server, started at the first call, without holding a thread of Swift's
    /// cooperative pool: `initdb` and the wait for the server take seconds, and a blocked pool
    /// (two threads on two cores) would stall every other test of the process meanwhile.
    public static func server() async throws -> TestPostgres {
        try await offPool { try Self.startedServer() }
    }

    /// A new, empty database (``createDatabase()``), made off the cooperative pool.
    public func newDatabase() async throws -> String {
        try await Self.offPool { try self.createDatabase() }
    }

    /// Runs blocking `body` (processes waited for) on a thread of its own.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// The process's server, started at the first call (blocking).
    static func startedServer() throws -> TestPostgres {
        try shared.withLock { state in
            if let state { return try state.get() }
            let result: Result<TestPostgres, Failure>
            do { result = .success(try TestPostgres()) } catch let error as Failure { result = .failure(error) } catch {
                result = .failure(Failure("\(error)"))
            }
            state = result
            return try result.get()
        }
    }

    private init() throws {
        if let url = ProcessInfo.processInfo.environment["MMS_TEST_POSTGRES_URL"], let components = URLComponents(string: url) {
            user = components.user ?? "postgres"
            password = components.password ?? ""
            host = components.host ?? "127.0.0.1"
            port = components.port ?? 5432
            socketFolder = nil
            dataFolder = nil
            adminURL = url
            guardian = nil
            guardianInput = nil
            return
        }
        let bin = try Self.binaries()
        let root = geteuid() == 0
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mms-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let user = "mms"
        let password = "mms-test-\(UUID().uuidString.prefix(12))"
        let passwordFile = folder + "/pwfile"
        try Data(password.utf8).write(to: URL(fileURLWithPath: passwordFile))
        if root {
            try Self.run("/bin/chown", ["-R", "postgres:postgres", folder])
        }
        let data = folder + "/data"
        try Self.run(
            bin + "/initdb",
            ["-D", data, "-U", user, "--pwfile", passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
             "--locale=C", "--no-sync"],
            asPostgres: root)
        // The port: a free one, asked of the kernel; retried should another process take it first.
        var started: (Process, Pipe, Int)?
        var lastError = ""
        for _ in 0..<5 {
            let port = try Self.freePort()
            let input = Pipe()
            let shell = Process()
            let script = """
                "$1" -D "$2" -p "$3" -k "$4" -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on \
                    -c shared_buffers=32MB >"$4/server.log" 2>&1 &
                pid=$!
                cat >/dev/null
                kill -INT "$pid" 2>/dev/null
                wait "$pid"
                # Only a server that started: a failed attempt's folder (and its log) stays for the next one.
                if [ -e "$4/started" ]; then rm -rf "$4"; fi
                """
            let arguments = ["-c", script, "sh", bin + "/postgres", data, "\(port)", folder]
            if root {
                shell.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
                shell.arguments = ["-u", "postgres", "--", "/bin/sh"] + arguments
            } else {
                shell.executableURL = URL(fileURLWithPath: "/bin/sh")
                shell.arguments = arguments
            }
            shell.standardInput = input
            shell.standardOutput = FileHandle.nullDevice
            shell.standardError = FileHandle.nullDevice
            try shell.run()
            if Self.waitReady(bin: bin, folder: folder, port: port, user: user) {
                _ = FileManager.default.createFile(atPath: folder + "/started", contents: Data())
                started = (shell, input, port)
                break
            }
            lastError = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? "no server log"
            try? input.fileHandleForWriting.close()
            shell.waitUntilExit()
        }
        guard let started else { throw Failure("PostgreSQL did not start: \(lastError)") }
        let (shell, input, port) = started
        self.user = user
        self.password = password
        self.host = "127.0.0.1"
        self.port = port
        socketFolder = folder
        dataFolder = data
        guardian = shell
        guardianInput = input
        adminURL = "postgres://\(user):\(password)@127.0.0.1:\(port)/postgres?sslmode=disable"
    }

    /// A new, empty database; its `postgres://` URL (TCP on loopback, with the password).
    public func createDatabase() throws -> String {
        let name = "t\(getpid())_\(counter.wrappingAdd(1, ordering: .relaxed).newValue)_\(UUID().uuidString.prefix(6).lowercased())"
        try sql("CREATE DATABASE \(name)")
        return url(database: name)
    }

    /// The URL of `database` on this server.
    public func url(database: String, withPassword: Bool = true) -> String {
        let credentials = withPassword ? "\(user):\(password)" : user
        return "postgres://\(credentials)@\(host):\(port)/\(database)?sslmode=disable"
    }

    /// Runs SQL through `psql` as the admin user (test set-up only; the statement is the test's own text).
    @discardableResult
    public func sql(_ statement: String, database: String = "postgres") throws -> String {
        let bin = try Self.binaries()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: bin + "/psql") ? bin + "/psql" : "/usr/bin/psql")
        var url = URLComponents(string: adminURL)!
        url.path = "/" + database
        process.arguments = [url.string!, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", statement]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure("psql failed (\(process.terminationStatus)): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Helpers

    /// The folder of Debian's PostgreSQL programs (the newest version installed), or the one holding `postgres` on PATH.
    static func binaries() throws -> String {
        let base = "/usr/lib/postgresql"
        if let versions = try? FileManager.default.contentsOfDirectory(atPath: base) {
            for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) })
            where FileManager.default.isExecutableFile(atPath: "\(base)/\(version)/bin/postgres") {
                return "\(base)/\(version)/bin"
            }
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(folder)/postgres") && FileManager.default.isExecutableFile(atPath: "\(folder)/initdb") {
            return String(folder)
        }
        throw Failure("PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/install-deps does it)")
    }

    private static func run(_ program: String, _ arguments: [String], asPostgres: Bool = false) throws {
        let process = Process()
        if asPostgres {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", program] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        }
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure("\(program) failed (\(process.terminationStatus)): \(String(decoding: errors, as: UTF8.self))")
        }
    }

    /// Waits (up to 120 s: a loaded machine, the whole suite running) until the server accepts
    /// connections on its socket; false when it failed.
    private static func waitReady(bin: String, folder: String, port: Int, user: String) -> Bool {
        for _ in 0..<1200 {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: bin + "/pg_isready")
            probe.arguments = ["-q", "-h", folder, "-p", "\(port)", "-U", user, "-d", "postgres"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            if (try? probe.run()) != nil {
                probe.waitUntilExit()
                if probe.terminationStatus == 0 { return true }
            }
            if let log = try? String(contentsOfFile: folder + "/server.log", encoding: .utf8),
                log.contains("FATAL") || log.contains("could not bind")
            {
                return false
            }
            usleep(100_000)
        }
        return false
    }

    /// A TCP port on loopback no one listens on now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
