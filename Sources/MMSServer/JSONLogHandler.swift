#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line (`mms-server --log-format json`),
/// for log collectors: `timestamp` (ISO 8601 UTC, microseconds), `level`, `label`, `source`,
/// `message`, then the metadata flattened into the same object (nested dictionaries as
/// `outer.inner` keys, lists as arrays of strings).
///
/// A metadata key that names a secret (it contains `token`, `secret`, `password`,
/// `authorization` or `private-key`) has its value replaced by `"[redacted]"`; the server never
/// logs secrets in the first place (MISSION R6), this is the safety net. A metadata key equal
/// to one of the fixed keys is written as `metadata.<key>`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let output: JSONLogOutput

    /// - Parameters:
    ///   - label: the logger's label, written as `label`.
    ///   - output: where lines go; standard error by default.
    public init(label: String, output: JSONLogOutput = .standardError) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        var line = "{\"timestamp\":\"\(Self.timestamp())\",\"level\":\"\(event.level.rawValue)\",\"label\":"
        JSONText.appendString(self.label, to: &line)
        line += ",\"source\":"
        JSONText.appendString(event.source, to: &line)
        line += ",\"message\":"
        JSONText.appendString(event.message.description, to: &line)
        var flat: [(String, Logger.Metadata.Value)] = []
        Self.flatten(merged, prefix: "", into: &flat)
        for (key, value) in flat.sorted(by: { $0.0 < $1.0 }) {
            let name = Self.fixedKeys.contains(key) ? "metadata.\(key)" : key
            line += ","
            JSONText.appendString(name, to: &line)
            line += ":"
            if Self.isSecret(key) {
                line += "\"[redacted]\""
            } else {
                Self.append(value, to: &line)
            }
        }
        line += "}\n"
        self.output.write(line)
    }

    static let fixedKeys: Set<String> = ["timestamp", "level", "label", "source", "message"]

    /// True for a key whose value must never be written.
    static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["token", "secret", "password", "authorization", "private-key", "private_key"].contains { lowered.contains($0) }
    }

    private static func flatten(_ metadata: Logger.Metadata, prefix: String, into flat: inout [(String, Logger.Metadata.Value)]) {
        for (key, value) in metadata {
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            if case .dictionary(let nested) = value, !isSecret(name) {
                flatten(nested, prefix: name, into: &flat)
            } else {
                flat.append((name, value))
            }
        }
    }

    private static func append(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text):
            JSONText.appendString(text, to: &line)
        case .stringConvertible(let convertible):
            // Numbers and booleans as JSON numbers and booleans (a call's duration_ms).
            switch convertible {
            case let number as Double where number.isFinite: line += "\(number)"
            case is Int, is Int64, is UInt64, is Int32, is UInt32, is Bool: line += convertible.description
            default: JSONText.appendString(convertible.description, to: &line)
            }
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                append(element, to: &line)
            }
            line += "]"
        case .dictionary(let nested):
            // Only reached for a nested dictionary under a secret key, which is redacted before.
            JSONText.appendString("\(nested)", to: &line)
        }
    }

    /// Now as `2026-12-02T00:41:25.123456Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(Int(now.tv_nsec) / 1000, 6))Z"
    }
}

/// Where a ``JSONLogHandler`` writes: whole lines, one `write` each, never interleaved.
public final class JSONLogOutput: Sendable {
    private let descriptor: Int32
    private let lock = Mutex(())

    /// Standard error, as the text format.
    public static let standardError = JSONLogOutput(descriptor: STDERR_FILENO)

    public init(descriptor: Int32) { self.descriptor = descriptor }

    func write(_ line: String) {
        var bytes = Array(line.utf8)
        self.lock.withLock { _ in
            bytes.withUnsafeMutableBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = systemWrite(self.descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}

/// JSON string literals (RFC 8259): quotes, backslashes and control characters escaped.
enum JSONText {
    static func appendString(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
