import Foundation
import Logging
import MMSServer
import Testing

/// Issue 13: `--log-format json`'s handler, line by line (the end-to-end test runs the real server).
@Suite("JSON log lines")
struct JSONLogHandlerTests {
    /// Logs through a handler writing to a temporary file and returns the lines written.
    func lines(_ body: (Logger) -> Void) throws -> [[String: Any]] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mms-log-\(UUID().uuidString)").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(descriptor >= 0)
        defer { unlink(path) }
        let output = JSONLogOutput(descriptor: descriptor)
        var logger = Logger(label: "test") { JSONLogHandler(label: $0, output: output) }
        logger.logLevel = .trace
        body(logger)
        close(descriptor)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not an object: \($0)")
        }
    }

    @Test("One object per line: fixed keys, metadata flattened, numbers as numbers, control characters escaped")
    func shape() throws {
        let written = try lines { logger in
            var logger = logger
            logger[metadataKey: "peer"] = "127.0.0.1:5"
            logger.info("two\nlines \"quoted\" \u{1}", metadata: [
                "duration_ms": .stringConvertible(1.25), "nested": ["inner": "x", "list": ["a", "b"]], "message": "clash",
            ])
            logger.debug("second")
        }
        #expect(written.count == 2)
        let first = written[0]
        #expect(first["message"] as? String == "two\nlines \"quoted\" \u{1}")
        #expect(first["level"] as? String == "info")
        #expect(first["label"] as? String == "test")
        #expect(first["peer"] as? String == "127.0.0.1:5")
        #expect(first["duration_ms"] as? Double == 1.25)
        #expect(first["nested.inner"] as? String == "x")
        #expect(first["nested.list"] as? [String] == ["a", "b"])
        #expect(first["metadata.message"] as? String == "clash")
        #expect((first["timestamp"] as? String)?.count == 27)
        #expect(written[1]["level"] as? String == "debug")
    }

    @Test("A metadata key that names a secret is written as [redacted] (R6)")
    func redaction() throws {
        let written = try lines { logger in
            logger.notice("created", metadata: [
                "token": "mms_secret_value", "smtp-password": "hunter2", "Authorization": "Bearer abc", "auth": ["client_secret": "s3"],
                "tenant": "contoso",
            ])
        }
        let line = written[0]
        for key in ["token", "smtp-password", "Authorization", "auth.client_secret"] {
            #expect(line[key] as? String == "[redacted]", "\(key): \(String(describing: line[key]))")
        }
        #expect(line["tenant"] as? String == "contoso")
        let text = "\(line)"
        #expect(!text.contains("mms_secret_value") && !text.contains("hunter2") && !text.contains("abc") && !text.contains("s3"))
    }
}
