import Foundation

/// A child process whose output goes to files (never pipes, so a chatty child cannot block on a
/// full pipe while the test waits for it to exit).
final class ChildProcess: @unchecked Sendable {
    // Process is not Sendable; this wrapper is, because after `run()` only thread-safe members
    // (isRunning, terminationStatus, processIdentifier, terminate) are used.
    private let process: Process
    let standardOutput: URL
    let standardError: URL
    let arguments: [String]
    /// The parent's ends of the child's standard streams, closed once the child has exited.
    private let handles: [FileHandle]

    /// Starts `executable` with `arguments`.
    /// - Parameters:
    ///   - environment: the whole environment of the child.
    ///   - standardInput: bytes fed to the child's standard input (empty input when nil).
    ///   - outputDirectory: where the output files go.
    init(executable: URL, arguments: [String], environment: [String: String], standardInput: Data? = nil, outputDirectory: URL) throws {
        let name = UUID().uuidString
        self.standardOutput = outputDirectory.appendingPathComponent("\(name).out")
        self.standardError = outputDirectory.appendingPathComponent("\(name).err")
        self.arguments = arguments
        _ = FileManager.default.createFile(atPath: standardOutput.path, contents: nil)
        _ = FileManager.default.createFile(atPath: standardError.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        var handles = [try FileHandle(forWritingTo: standardOutput), try FileHandle(forWritingTo: standardError)]
        process.standardOutput = handles[0]
        process.standardError = handles[1]
        if let standardInput {
            let inputFile = outputDirectory.appendingPathComponent("\(name).in")
            try standardInput.write(to: inputFile)
            handles.append(try FileHandle(forReadingFrom: inputFile))
            process.standardInput = handles[2]
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        self.handles = handles
        try process.run()
        self.process = process
    }

    var isRunning: Bool { process.isRunning }
    var processIdentifier: Int32 { process.processIdentifier }

    /// Sends SIGTERM.
    func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// Sends SIGKILL.
    func kill() {
        if process.isRunning { _ = Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the child to exit; returns its exit status, or nil when `timeout` passes first.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
        for handle in handles { try? handle.close() }
        return process.terminationStatus
    }

    /// Everything the child wrote to standard output so far.
    func output() -> Data { (try? Data(contentsOf: standardOutput)) ?? Data() }

    /// Everything the child wrote to standard error so far, as text.
    func errorText() -> String { String(decoding: (try? Data(contentsOf: standardError)) ?? Data(), as: UTF8.self) }
}

/// What one run of `mms` did.
struct MMSResult: Sendable, CustomStringConvertible {
    let arguments: [String]
    let exitCode: Int32
    let standardOutput: Data
    let standardError: String

    var output: String { String(decoding: standardOutput, as: UTF8.self) }

    /// Standard output parsed as one JSON document.
    func json() throws -> JSON {
        do {
            return try JSON.parse(output)
        } catch {
            throw Failure("`mms \(arguments.joined(separator: " "))` did not print JSON (\(error)):\n\(self)")
        }
    }

    /// Each non-empty line of standard output parsed as JSON (the `--watch --output json` format).
    func jsonLines() throws -> [JSON] {
        try output.split(separator: "\n").map { try JSON.parse(String($0)) }
    }

    var description: String {
        "mms \(arguments.joined(separator: " ")) → exit \(exitCode)\nstdout: \(output)\nstderr: \(standardError)"
    }
}

/// A test-harness failure with a message.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
