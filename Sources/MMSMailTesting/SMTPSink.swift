import Foundation

/// A real SMTP server for a test: Tests/Support/smtp_sink.py (aiosmtpd) on a free loopback port,
/// writing every accepted message into a folder of its own.
///
/// A missing python3 or aiosmtpd fails the test with what to install; it never skips.
/// Shared by the SMTP connector's tests and the end-to-end tests.
public final class SMTPSink: @unchecked Sendable {
    /// The sink's folder; received messages are under `messages/`.
    public let folder: URL
    /// The loopback port it listens on.
    public let port: Int
    private let process: Process

    /// `Tests/Support`, where smtp_sink.py and check_invitations.py are.
    public static let supportFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests/Support")

    /// Starts the sink with `arguments` (fault modes: see smtp_sink.py).
    public init(_ arguments: [String] = []) throws {
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
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The messages received so far: (envelope recipients, raw bytes).
    public func messages() throws -> [(recipients: [String], raw: Data)] {
        let dir = folder.appendingPathComponent("messages")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return try names.filter { $0.hasSuffix(".eml") }.sorted().map { name in
            let raw = try Data(contentsOf: dir.appendingPathComponent(name))
            let json = try Data(contentsOf: dir.appendingPathComponent(String(name.dropLast(4)) + ".json"))
            let envelope = try JSONSerialization.jsonObject(with: json) as? [String: Any] ?? [:]
            return (envelope["rcpt_tos"] as? [String] ?? [], raw)
        }
    }

    /// How many copies each (Message-ID, envelope recipient) received, keyed `"<id> recipient"`.
    public func copies() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for message in try messages() {
            let text = String(decoding: message.raw.prefix(64 * 1024), as: UTF8.self)
            let header = text.components(separatedBy: "\r\n\r\n").first ?? ""
            let id = header.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("message-id:") }
                .map { String($0.dropFirst("message-id:".count)).trimmingCharacters(in: .whitespaces) } ?? "?"
            for recipient in message.recipients { counts["\(id) \(recipient.lowercased())", default: 0] += 1 }
        }
        return counts
    }

    /// Runs check_invitations.py over what arrived; returns its report, throws when it found a problem.
    @discardableResult
    public func check(_ expectations: [InvitationExpectation]) throws -> String {
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
    public static func requirePython(modules: [String]) throws {
        let (status, output) = try run(["python3", "-c", modules.map { "import \($0)" }.joined(separator: "; ")])
        guard status == 0 else {
            throw SinkError(
                "the SMTP tests need python3 with \(modules.joined(separator: ", ")) (.ci/run installs python3-aiosmtpd "
                    + "and pip icalendar when missing): \(output)")
        }
    }

    /// Runs a command (through /usr/bin/env) and returns its exit status and output.
    public static func run(_ arguments: [String]) throws -> (Int32, String) {
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

/// A sink that did not start, a tool missing, or messages not as expected.
public struct SinkError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What check_invitations.py checks one invitation's messages against.
public struct InvitationExpectation: Encodable, Sendable {
    public var message_id: String
    public var subject: String
    public var organizer: String
    public var sender: String
    public var uid: String
    public var sequence: Int
    public var attendees: [String]
    /// Who must have exactly one copy.
    public var recipients: [String]
    /// UTC, `YYYYMMDDTHHMMSSZ`.
    public var start: String
    public var end: String
    public var plain_b64: String?
    public var html_b64: String?
    public var attachments: [AttachmentExpectation]

    public init(
        message_id: String, subject: String, organizer: String, sender: String, uid: String, sequence: Int, attendees: [String],
        recipients: [String], start: String, end: String, plain_b64: String?, html_b64: String?, attachments: [AttachmentExpectation]
    ) {
        self.message_id = message_id
        self.subject = subject
        self.organizer = organizer
        self.sender = sender
        self.uid = uid
        self.sequence = sequence
        self.attendees = attendees
        self.recipients = recipients
        self.start = start
        self.end = end
        self.plain_b64 = plain_b64
        self.html_b64 = html_b64
        self.attachments = attachments
    }

    public struct AttachmentExpectation: Encodable, Sendable {
        public var name: String
        public var content_type: String
        public var content_b64: String
        public init(name: String, content_type: String, content_b64: String) {
            self.name = name
            self.content_type = content_type
            self.content_b64 = content_b64
        }
    }
}
