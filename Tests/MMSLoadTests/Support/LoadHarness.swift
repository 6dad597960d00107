import Foundation
import MMSClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A test-harness failure with a message.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Finds `mms-server` and `mms-load` beside the test binary, the way the end-to-end tests find
/// their binaries (`swift build --build-tests` puts every product there); `MMS_BIN_DIR` overrides.
enum LoadBinaries {
    static func directory() throws -> URL {
        let manager = FileManager.default
        func holdsBoth(_ folder: URL) -> Bool {
            ["mms-load", "mms-server"].allSatisfy { manager.isExecutableFile(atPath: folder.appendingPathComponent($0).path) }
        }
        if let override = ProcessInfo.processInfo.environment["MMS_BIN_DIR"], !override.isEmpty {
            guard holdsBoth(URL(fileURLWithPath: override)) else { throw Failure("mms-load and mms-server are not in MMS_BIN_DIR=\(override)") }
            return URL(fileURLWithPath: override)
        }
        var starts: [URL] = []
        if let runner = try? manager.destinationOfSymbolicLink(atPath: "/proc/self/exe") { starts.append(URL(fileURLWithPath: runner)) }
        if let executable = Bundle.main.executableURL { starts.append(executable) }
        for start in starts {
            var folder = start.standardizedFileURL.deletingLastPathComponent()
            for _ in 0..<5 {
                if holdsBoth(folder) { return folder }
                folder = folder.deletingLastPathComponent()
            }
        }
        throw Failure("mms-load and mms-server were not found beside the test binary; build them first: swift build --build-tests")
    }
}

/// A child process whose output goes to files, so a chatty child never blocks on a pipe.
final class Child: @unchecked Sendable {
    // After run() only thread-safe members of Process are used.
    private let process: Process
    let standardOutput: URL
    let standardError: URL

    init(_ executable: URL, _ arguments: [String], in folder: URL) throws {
        let name = UUID().uuidString
        standardOutput = folder.appendingPathComponent("\(name).out")
        standardError = folder.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: standardOutput.path, contents: nil)
        _ = FileManager.default.createFile(atPath: standardError.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MMS_") }
        process.standardOutput = try FileHandle(forWritingTo: standardOutput)
        process.standardError = try FileHandle(forWritingTo: standardError)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    var isRunning: Bool { process.isRunning }

    func terminate() { if process.isRunning { process.terminate() } }
    func kill() { if process.isRunning { _ = Foundation.kill(process.processIdentifier, SIGKILL) } }

    /// The exit status, or nil when `timeout` passes first.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    func output() -> Data { (try? Data(contentsOf: standardOutput)) ?? Data() }
    func errorText() -> String { String(decoding: (try? Data(contentsOf: standardError)) ?? Data(), as: UTF8.self) }
}

/// A real `mms-server` on a free loopback port with its own data directory.
final class LoadTestServer: Sendable {
    let binaries: URL
    let root: URL
    let endpoint: String
    let child: Child

    var operatorTokenFile: URL { root.appendingPathComponent("data/operator-token") }

    private init(binaries: URL, root: URL, endpoint: String, child: Child) {
        self.binaries = binaries
        self.root = root
        self.endpoint = endpoint
        self.child = child
    }

    /// Starts a server with a long hold (migrations the load queues never run) and waits until it serves.
    static func start() async throws -> LoadTestServer {
        let binaries = try LoadBinaries.directory()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-load-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var lastError = ""
        for _ in 0..<3 {
            let endpoint = "127.0.0.1:\(try freePort())"
            let child = try Child(
                binaries.appendingPathComponent("mms-server"),
                ["--listen", endpoint, "--data-dir", root.appendingPathComponent("data").path, "--hold", "24h", "--workers", "1",
                 "--threads", "1", "--log-level", "warning", "--shutdown-grace", "2s"],
                in: root)
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, child.isRunning {
                if await serves(endpoint) { return LoadTestServer(binaries: binaries, root: root, endpoint: endpoint, child: child) }
                try await Task.sleep(for: .milliseconds(50))
            }
            lastError = child.errorText()
            child.kill()
            _ = await child.waitForExit(timeout: .seconds(5))
        }
        throw Failure("mms-server did not start:\n\(lastError)")
    }

    private static func serves(_ endpoint: String) async -> Bool {
        guard let client = try? MMSClient(endpoint: endpoint, timeout: .seconds(2)) else { return false }
        let serving = (try? await client.health().status) == .serving
        await client.close()
        return serving
    }

    /// Runs `mms-load` against this server; requires exit 0 and returns its JSON report.
    func load(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let child = try Child(binaries.appendingPathComponent("mms-load"), ["--endpoint", endpoint] + arguments, in: root)
        guard let status = await child.waitForExit(timeout: timeout) else {
            child.kill()
            throw Failure("mms-load did not exit within \(timeout):\n\(child.errorText())")
        }
        let output = child.output()
        guard status == 0, let report = try? JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            throw Failure("mms-load exited \(status):\nstdout: \(String(decoding: output, as: UTF8.self))\nstderr: \(child.errorText())")
        }
        return report
    }

    /// Stops the server and deletes its files.
    func tearDown() async {
        child.terminate()
        if await child.waitForExit(timeout: .seconds(20)) == nil { child.kill() }
        try? FileManager.default.removeItem(at: root)
    }
}

/// A loopback port nobody listens on right now (the kernel's pick for port 0).
func freePort() throws -> Int {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw Failure("socket() failed: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw Failure("bind() failed: errno \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw Failure("getsockname() failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}
