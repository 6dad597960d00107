import Foundation
import MMSClient

/// A real `mms-server` on a free loopback port with its own data directory, and the helpers to
/// drive it through the real `mms` binary.
final class ServerProcess: Sendable {
    /// The settings a server is started with.
    struct Settings: Sendable {
        /// `--hold`: 0 runs migrations at once.
        var hold = "0"
        /// `--retry-schedule`: short, so a failed attempt is retried within a test.
        var retrySchedule = "1s,1s"
        var workers = 2
        /// More `mms-server` options, e.g. `["--lease", "2s"]`.
        var extra: [String] = []
        /// How the readiness probe connects: TLS settings for a server started with `--tls-certificate`.
        var probeTLS: ClientTLSConfiguration?
        /// `--log-level`.
        var logLevel = "warning"
        /// The operator token to use when this server did not write one (a second server on a
        /// shared PostgreSQL database, issue 12); nil reads `<data-dir>/operator-token`.
        var operatorToken: String?
    }

    let binaries: URL
    let dataDirectory: URL
    /// Output files of every child process.
    let scratch: URL
    let settings: Settings
    /// The running server and its endpoint; replaced by `restart()`.
    private let state: LockedBox<(child: ChildProcess, endpoint: String)>
    /// The operator token the first start wrote.
    let operatorToken: String

    var endpoint: String { state.value.endpoint }
    /// The running server's process id.
    var processIdentifier: Int32 { state.value.child.processIdentifier }

    private init(binaries: URL, dataDirectory: URL, scratch: URL, settings: Settings, child: ChildProcess, endpoint: String, operatorToken: String) {
        self.binaries = binaries
        self.dataDirectory = dataDirectory
        self.scratch = scratch
        self.settings = settings
        self.state = LockedBox((child, endpoint))
        self.operatorToken = operatorToken
    }

    /// Starts a server on a fresh temporary data directory (or on `dataDirectory`, e.g. on a
    /// small filesystem) and waits until it serves.
    static func start(_ settings: Settings = Settings(), dataDirectory given: URL? = nil) async throws -> ServerProcess {
        let binaries = try Binaries.directory()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-e2e-\(UUID().uuidString)")
        let dataDirectory = given ?? root.appendingPathComponent("data")
        let scratch = root.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let (child, endpoint) = try await launch(binaries: binaries, dataDirectory: dataDirectory, scratch: scratch, settings: settings)
        if let token = settings.operatorToken {
            return ServerProcess(
                binaries: binaries, dataDirectory: dataDirectory, scratch: scratch, settings: settings, child: child, endpoint: endpoint,
                operatorToken: token)
        }
        let tokenFile = dataDirectory.appendingPathComponent("operator-token")
        let token = try String(contentsOf: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let attributes = try FileManager.default.attributesOfItem(atPath: tokenFile.path)
        let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
        guard permissions == 0o600 else {
            child.kill()
            throw Failure("operator-token has mode \(String(permissions, radix: 8)), expected 600")
        }
        return ServerProcess(
            binaries: binaries, dataDirectory: dataDirectory, scratch: scratch, settings: settings, child: child, endpoint: endpoint,
            operatorToken: token)
    }

    /// Launches `mms-server` and waits until it answers a health check; retries on a new port
    /// when the chosen one was taken in the meantime.
    private static func launch(binaries: URL, dataDirectory: URL, scratch: URL, settings: Settings) async throws -> (ChildProcess, String) {
        var lastError = ""
        for _ in 0..<3 {
            let endpoint = "127.0.0.1:\(try Ports.free())"
            let child = try ChildProcess(
                executable: binaries.appendingPathComponent("mms-server"),
                arguments: [
                    "--listen", endpoint, "--data-dir", dataDirectory.path, "--hold", settings.hold,
                    "--retry-schedule", settings.retrySchedule, "--workers", String(settings.workers), "--threads", "1",
                    "--log-level", settings.logLevel, "--shutdown-grace", "2s",
                ] + settings.extra,
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MMS_") },
                outputDirectory: scratch)
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, child.isRunning {
                if await serves(endpoint, tls: settings.probeTLS) { return (child, endpoint) }
                try await Task.sleep(for: .milliseconds(50))
            }
            lastError = child.errorText()
            child.kill()
            _ = await child.waitForExit(timeout: .seconds(5))
        }
        throw Failure("mms-server did not start:\n\(lastError)")
    }

    private static func serves(_ endpoint: String, tls: ClientTLSConfiguration?) async -> Bool {
        guard let client = try? MMSClient(endpoint: endpoint, timeout: .seconds(2), tls: tls) else { return false }
        let serving = (try? await client.health().status) == .serving
        await client.close()
        return serving
    }

    /// Sends `signal` to the server (SIGHUP to reload its TLS certificate).
    func signal(_ signal: Int32) {
        _ = Foundation.kill(state.value.child.processIdentifier, signal)
    }

    /// Whether the server process is still running.
    var isRunning: Bool { state.value.child.isRunning }

    /// Stops the server with SIGTERM (a graceful shutdown) and waits for it to exit.
    /// - Returns: its exit status.
    @discardableResult
    func stop() async throws -> Int32 {
        let child = state.value.child
        child.terminate()
        guard let status = await child.waitForExit(timeout: .seconds(20)) else {
            child.kill()
            throw Failure("mms-server did not exit within 20 s of SIGTERM:\n\(child.errorText())")
        }
        return status
    }

    /// Kills the server with SIGKILL (a crash) and waits until it is gone.
    func killNow() async {
        let child = state.value.child
        child.kill()
        _ = await child.waitForExit(timeout: .seconds(20))
    }

    /// Kills the server with SIGKILL (no shutdown at all) and waits until it is gone.
    func kill() {
        let child = state.value.child
        child.kill()
        while child.isRunning { usleep(10_000) }
    }

    /// Starts the server again on the same data directory (on a new port).
    func restart() async throws {
        let (child, endpoint) = try await Self.launch(binaries: binaries, dataDirectory: dataDirectory, scratch: scratch, settings: settings)
        state.value = (child, endpoint)
    }

    /// Stops the server if it runs and deletes its files.
    func tearDown() async {
        if state.value.child.isRunning { _ = try? await stop() }
        try? FileManager.default.removeItem(at: scratch.deletingLastPathComponent())
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    /// What the server logged.
    func log() -> String { state.value.child.errorText() }

    /// Runs `mms` against this server and waits for it to exit.
    /// - Parameters:
    ///   - arguments: the command line after `mms`.
    ///   - token: sent as `MMS_TOKEN`; nil runs without a token.
    ///   - standardInput: fed to standard input.
    func mms(_ arguments: [String], token: String?, standardInput: Data? = nil, timeout: Duration = .seconds(60)) async throws -> MMSResult {
        let child = try startMMS(arguments, token: token, standardInput: standardInput)
        return try await finish(child, timeout: timeout)
    }

    /// Starts `mms` without waiting for it (for `--watch`).
    func startMMS(_ arguments: [String], token: String?, standardInput: Data? = nil) throws -> ChildProcess {
        try startProcess(binaries.appendingPathComponent("mms"), arguments, token: token, standardInput: standardInput)
    }

    /// Starts any program with `MMS_ENDPOINT` set to this server and `MMS_TOKEN` to `token`.
    func startProcess(_ executable: URL, _ arguments: [String], token: String?, standardInput: Data? = nil) throws -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MMS_") }
        environment["MMS_ENDPOINT"] = endpoint
        if let token { environment["MMS_TOKEN"] = token }
        return try ChildProcess(
            executable: executable, arguments: arguments, environment: environment, standardInput: standardInput, outputDirectory: scratch)
    }

    /// The `mms` executable.
    var mmsExecutable: URL { binaries.appendingPathComponent("mms") }

    /// Waits for a started `mms` to exit.
    func finish(_ child: ChildProcess, timeout: Duration = .seconds(60)) async throws -> MMSResult {
        guard let status = await child.waitForExit(timeout: timeout) else {
            child.kill()
            throw Failure("`mms \(child.arguments.joined(separator: " "))` did not exit within \(timeout)")
        }
        return MMSResult(arguments: child.arguments, exitCode: status, standardOutput: child.output(), standardError: child.errorText())
    }
}

/// A value behind a lock.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { self.stored = value }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
