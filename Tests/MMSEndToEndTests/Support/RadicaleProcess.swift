import Foundation

/// A real Radicale CalDAV server (Debian `radicale`) on a free loopback port with its own
/// storage folder and a plain htpasswd file, for the end-to-end tests of issue 17.
final class RadicaleProcess: Sendable {
    let child: ChildProcess
    let root: URL
    let port: Int
    let username: String
    let password: String

    var url: String { "http://127.0.0.1:\(port)/" }

    private init(child: ChildProcess, root: URL, port: Int, username: String, password: String) {
        self.child = child
        self.root = root
        self.port = port
        self.username = username
        self.password = password
    }

    /// Starts Radicale and waits until it answers.
    /// - Throws: `Failure` naming the Debian package when `radicale` is not installed.
    static func start(username: String = "mms-service", password: String = "s3rvice-pass") async throws -> RadicaleProcess {
        guard let executable = ["/usr/bin/radicale", "/usr/local/bin/radicale"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw Failure("radicale is not installed: apt-get install radicale (bash .ci/install-deps does it)")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-radicale-\(UUID().uuidString)")
        let storage = root.appendingPathComponent("collections")
        try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
        let users = root.appendingPathComponent("users")
        try Data("\(username):\(password)\n".utf8).write(to: users)
        var lastError = ""
        for _ in 0..<3 {
            let port = try Ports.free()
            let child = try ChildProcess(
                executable: URL(fileURLWithPath: executable),
                arguments: [
                    "--server-hosts", "127.0.0.1:\(port)", "--storage-filesystem-folder", storage.path,
                    "--auth-type", "htpasswd", "--auth-htpasswd-filename", users.path, "--auth-htpasswd-encryption", "plain",
                    "--rights-type", "authenticated",
                ],
                environment: ProcessInfo.processInfo.environment, outputDirectory: root)
            let server = RadicaleProcess(child: child, root: root, port: port, username: username, password: password)
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline, child.isRunning {
                if let status = try? await server.request("OPTIONS", "/").status, status < 500 { return server }
                try await Task.sleep(for: .milliseconds(100))
            }
            lastError = child.errorText()
            child.kill()
            _ = await child.waitForExit(timeout: .seconds(5))
        }
        throw Failure("radicale did not start:\n\(lastError)")
    }

    /// One HTTP request with curl (a client that is not ours): the status, the headers and the body.
    func request(
        _ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:], authenticated: Bool = true
    ) async throws -> (status: Int, headers: String, body: Data) {
        let scratch = root.appendingPathComponent("curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("body")
        let headerFile = scratch.appendingPathComponent("headers")
        var arguments = ["-s", "-X", method, "-o", output.path, "-D", headerFile.path, "-w", "%{http_code}", "--max-time", "20"]
        if authenticated { arguments += ["-u", "\(username):\(password)"] }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if let body {
            let input = scratch.appendingPathComponent("input")
            try body.write(to: input)
            arguments += ["--data-binary", "@\(input.path)"]
        }
        arguments.append("http://127.0.0.1:\(port)\(path)")
        let curl = try ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/curl"), arguments: arguments, environment: ProcessInfo.processInfo.environment,
            outputDirectory: scratch)
        guard await curl.waitForExit(timeout: .seconds(30)) == 0 else { throw Failure("curl \(method) \(path) failed: \(curl.errorText())") }
        let status = Int(String(decoding: curl.output(), as: UTF8.self)) ?? 0
        return (status, (try? String(contentsOf: headerFile, encoding: .utf8)) ?? "", (try? Data(contentsOf: output)) ?? Data())
    }

    /// Creates a user's home collection at `path` (e.g. `/ann@contoso.example/`).
    func makeHome(_ path: String) async throws {
        let status = try await request("MKCOL", path).status
        guard status == 201 else { throw Failure("MKCOL \(path) answered \(status)") }
    }

    /// Creates the calendar collection at `path` (e.g. `/ann@contoso.example/calendar/`).
    func makeCalendar(_ path: String) async throws {
        let status = try await request("MKCALENDAR", path).status
        guard status == 201 else { throw Failure("MKCALENDAR \(path) answered \(status)") }
    }

    func stop() async {
        child.terminate()
        if await child.waitForExit(timeout: .seconds(10)) == nil { child.kill() }
        try? FileManager.default.removeItem(at: root)
    }
}
