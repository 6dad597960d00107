import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The crash-test driver, run as a separate process so it can be killed with SIGKILL.
final class ChildProcess {
    private let process: Process
    private let lines = SharedText<[String]>([])
    private let errorOutput = SharedText<String>("")

    /// The driver binary, next to the test bundle in the build directory.
    static var driverPath: String {
        get throws {
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("mms-engine-crashtest").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
            throw CrashTestError("mms-engine-crashtest not found near \(CommandLine.arguments[0]); build it with the tests")
        }
    }

    init(_ arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.driverPath)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let lines = self.lines
        let errorOutput = self.errorOutput
        Thread.detachNewThread {
            var pending = Data()
            while true {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    lines.withLock { $0.append(line) }
                }
            }
        }
        Thread.detachNewThread {
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            errorOutput.withLock { $0 = String(decoding: data, as: UTF8.self) }
        }
    }

    /// Every line printed so far.
    var output: [String] { lines.withLock { $0 } }

    /// Waits until `condition` holds on the output, or fails after `timeout` seconds.
    func waitFor(_ what: String, timeout: TimeInterval = 120, _ condition: ([String]) -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition(output) {
            if !process.isRunning, !condition(output) {
                try await Task.sleep(for: .milliseconds(100))  // let the reader drain the pipe
                if condition(output) { return }
                throw CrashTestError("driver exited (\(process.terminationStatus)) before \(what): \(errorOutput.withLock { $0 })")
            }
            if Date() > deadline { throw CrashTestError("timed out waiting for \(what); last lines: \(output.suffix(3))") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Kills the process with SIGKILL (kill -9) and waits for it to be gone.
    func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits for a normal exit and returns the status.
    func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    var standardError: String { errorOutput.withLock { $0 } }
}

struct CrashTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Text a reader thread fills while the test reads it.
final class SharedText<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout sending Value) -> sending R) -> sending R { mutex.withLock(body) }
}
