import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Synchronization

/// A real CalDAV server (Radicale or Xandikos from Debian) on a free loopback port, with its
/// storage in a temporary folder, started by a test and stopped by it.
final class CalDAVServer: @unchecked Sendable {
    enum Kind: String, Sendable, CustomStringConvertible, CaseIterable {
        case radicale
        case xandikos
        var description: String { rawValue }
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// The service account (Radicale only; Xandikos has no authentication).
    static let username = "mms"
    static let password = "service-secret"

    let kind: Kind
    let port: Int
    let directory: URL
    private let process: Process
    private let output: FileHandle

    /// `http://127.0.0.1:PORT`
    var base: String { "http://127.0.0.1:\(port)" }

    private init(kind: Kind, port: Int, directory: URL, process: Process, output: FileHandle) {
        self.kind = kind
        self.port = port
        self.directory = directory
        self.process = process
        self.output = output
    }

    /// Finds an executable on PATH (and in /usr/bin).
    static func executable(_ name: String) -> URL? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/bin:/usr/sbin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    static func start(_ kind: Kind, users: [String: String] = [:]) async throws -> CalDAVServer {
        guard let executable = executable(kind.rawValue) else {
            throw Missing(description: "\(kind.rawValue) is not installed: install the Debian package '\(kind.rawValue)' (apt-get install \(kind.rawValue)); .ci/install-deps does")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mms-caldav-\(kind)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for attempt in 0..<5 {
            let port = try freePort()
            var arguments: [String]
            switch kind {
            case .radicale:
                var lines = ["\(username):\(password)"]
                for (user, password) in users { lines.append("\(user):\(password)") }
                let users = directory.appendingPathComponent("users")
                try (lines.joined(separator: "\n") + "\n").write(to: users, atomically: true, encoding: .utf8)
                arguments = [
                    "--storage-filesystem-folder", directory.appendingPathComponent("storage").path,
                    "--server-hosts", "127.0.0.1:\(port)",
                    "--auth-type", "htpasswd", "--auth-htpasswd-filename", users.path, "--auth-htpasswd-encryption", "plain",
                    "--rights-type", "authenticated",
                    "--logging-level", "warning",
                ]
            case .xandikos:
                arguments = ["--defaults", "-d", directory.appendingPathComponent("storage").path, "-l", "127.0.0.1", "-p", String(port)]
            }
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            let log = directory.appendingPathComponent("server-\(attempt).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            let server = CalDAVServer(kind: kind, port: port, directory: directory, process: process, output: handle)
            if await server.waitUntilServing() { return server }
            server.stop(removing: false)
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("server-4.log"), encoding: .utf8)) ?? ""
        throw Missing(description: "\(kind.rawValue) did not start: \(log.suffix(2_000))")
    }

    private func waitUntilServing() async -> Bool {
        for _ in 0..<150 {
            if !process.isRunning { return false }
            if Self.canConnect(port) { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Stops the server with SIGKILL: a child started by Foundation's Process may inherit a
    /// blocked SIGTERM, and its storage is thrown away anyway.
    func stop(removing: Bool = true) {
        Self.kill(process)
        try? output.close()
        if removing { try? FileManager.default.removeItem(at: directory) }
    }

    deinit { Self.kill(process) }

    static func kill(_ process: Process) {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Ports handed out by this process, never twice: tests start servers in parallel, and a port
    /// found free by two of them at once would let one test talk to another's server.
    private static let nextPort = Atomic<Int>(20_000 + Int.random(in: 0..<20_000))

    /// A port nothing listens on right now, and not handed out before by this process.
    static func freePort() throws -> Int {
        for _ in 0..<1_000 {
            let port = nextPort.add(1, ordering: .relaxed).newValue
            if port < 65_000, try isFree(port) { return port }
        }
        throw Missing(description: "no free loopback port")
    }

    private static func isFree(_ port: Int) throws -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Missing(description: "no socket") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0
    }

    static func canConnect(_ port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return connected == 0
    }
}

/// Runs a command (curl, python3) and returns its standard output.
struct Command {
    struct Failed: Error, CustomStringConvertible { var description: String }

    static func run(_ executable: String, _ arguments: [String], input: Data? = nil) throws -> Data {
        guard let url = CalDAVServer.executable(executable) else { throw Failed(description: "\(executable) is not installed") }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inputPipe = Pipe()
        if input != nil { process.standardInput = inputPipe }
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(input)
            try inputPipe.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(description: "\(executable) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(String(decoding: errors, as: UTF8.self))")
        }
        return data
    }
}

/// Plain HTTP with curl, a client that is not ours: what the server really stores.
struct Curl {
    var user: String?

    /// (status, headers text, body)
    func request(_ method: String, _ url: String, body: Data? = nil, headers: [String] = []) throws -> (status: Int, headers: String, body: Data) {
        let directory = FileManager.default.temporaryDirectory
        let headerFile = directory.appendingPathComponent("curl-h-\(UUID().uuidString)")
        let bodyFile = directory.appendingPathComponent("curl-b-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: headerFile)
            try? FileManager.default.removeItem(at: bodyFile)
        }
        var arguments = ["-s", "-X", method, "-D", headerFile.path, "-o", bodyFile.path, "-w", "%{http_code}", "--max-time", "30"]
        if let user { arguments += ["-u", user] }
        for header in headers { arguments += ["-H", header] }
        if body != nil { arguments += ["--data-binary", "@-"] }
        arguments.append(url)
        let status = try Command.run("curl", arguments, input: body)
        let headersText = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        let bodyData = (try? Data(contentsOf: bodyFile)) ?? Data()
        return (Int(String(decoding: status, as: UTF8.self)) ?? 0, headersText, bodyData)
    }

    func get(_ url: String) throws -> Data {
        let response = try request("GET", url)
        guard response.status == 200 else { throw Command.Failed(description: "GET \(url) answered \(response.status)") }
        return response.body
    }

    func put(_ url: String, _ body: Data, headers: [String] = []) throws -> Int {
        try request("PUT", url, body: body, headers: ["Content-Type: text/calendar; charset=utf-8"] + headers).status
    }
}
