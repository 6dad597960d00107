import Foundation
import Testing

/// A real SMTP server for a test: Tests/Support/smtp_sink.py (aiosmtpd) on a free loopback port,
/// writing every accepted message into a folder of its own.
///
/// A missing python3 or aiosmtpd fails the test with what to install; it never skips.
final class SMTPSink: @unchecked Sendable {
    let folder: URL
    let port: Int
    private let process: Process

    static let supportFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Support")

    /// Starts the sink with `arguments` (fault modes: see smtp_sink.py).
    init(_ arguments: [String] = []) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mms-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.requirePython(modules: ["aiosmtpd"])
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.supportFolder.appendingPathComponent("smtp_sink.py").path,
                             "--dir", folder.appendingPathComponent("messages").path] + arguments
        let output = Pipe()
        process.standardOutput = output
        FileManager.default.createFile(atPath: folder.appendingPathComponent("sink.log").path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: folder.appendingPathComponent("sink.log"))
        try process.run()
        var line = Data()
        let handle = output.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            let log = (try? String(contentsOf: folder.appendingPathComponent("sink.log"), encoding: .utf8)) ?? ""
            throw SinkError("smtp_sink.py did not start: \(text) \(log)")
        }
        self.port = port
    }

    deinit { stop() }

    /// Stops the server (by its own process id).
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The messages received so far: (envelope recipients, raw bytes).
    func messages() throws -> [(recipients: [String], raw: Data)] {
        let dir = folder.appendingPathComponent("messages")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return try names.filter { $0.hasSuffix(".eml") }.sorted().map { name in
            let raw = try Data(contentsOf: dir.appendingPathComponent(name))
            let json = try Data(contentsOf: dir.appendingPathComponent(String(name.dropLast(4)) + ".json"))
            let envelope = try JSONSerialization.jsonObject(with: json) as? [String: Any] ?? [:]
            return (envelope["rcpt_tos"] as? [String] ?? [], raw)
        }
    }

    /// Runs check_invitations.py over what arrived; returns its report, throws when it found a problem.
    func check(_ expectations: [InvitationExpectation]) throws -> String {
        try Self.requirePython(modules: ["icalendar"])
        let file = folder.appendingPathComponent("expected-\(UUID().uuidString).json")
        try JSONEncoder().encode(expectations).write(to: file)
        let (status, output) = try Self.run(
            ["python3", Self.supportFolder.appendingPathComponent("check_invitations.py").path,
             folder.appendingPathComponent("messages").path, file.path])
        guard status == 0 else { throw SinkError("the received messages are not as expected:\n\(output)") }
        return output
    }

    /// Fails (never skips) when python3 or a module is missing, saying what `.ci/run` installs.
    static func requirePython(modules: [String]) throws {
        let (status, output) = try run(["python3", "-c", modules.map { "import \($0)" }.joined(separator: "; ")])
        guard status == 0 else {
            throw SinkError(
                "the SMTP tests need python3 with \(modules.joined(separator: ", ")) (.ci/run installs python3-aiosmtpd "
                    + "and pip icalendar when missing): \(output)")
        }
    }

    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

struct SinkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What check_invitations.py checks one invitation's messages against.
struct InvitationExpectation: Encodable {
    var message_id: String
    var subject: String
    var organizer: String
    var sender: String
    var uid: String
    var sequence: Int
    var attendees: [String]
    var recipients: [String]
    var start: String
    var end: String
    var plain_b64: String?
    var html_b64: String?
    var attachments: [AttachmentExpectation]

    struct AttachmentExpectation: Encodable {
        var name: String
        var content_type: String
        var content_b64: String
    }
}
