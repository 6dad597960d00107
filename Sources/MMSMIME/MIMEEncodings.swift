/// The transfer encodings and header encodings a message needs (RFC 2045, RFC 2047, RFC 2231).
///
/// No package on the build machines writes e-mail MIME (vapor/multipart-kit is HTTP form-data
/// only), so the service keeps this small builder of its own.
public enum MIMEEncoding: String, Sendable, Hashable {
    /// Base64 in lines of 76 characters: any bytes, byte for byte.
    case base64
    /// Quoted-printable in lines of at most 76 characters: mostly-ASCII text, byte for byte.
    case quotedPrintable = "quoted-printable"
    /// Lines of ASCII, each at most 998 octets, ending in CRLF: the caller guarantees it.
    case sevenBit = "7bit"

    /// `bytes` encoded, every line ending in CRLF.
    public func encode(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .base64: return Base64Lines.encode(bytes)
        case .quotedPrintable: return QuotedPrintable.encode(bytes)
        case .sevenBit:
            var out = bytes
            if !(out.count >= 2 && out[out.count - 2] == 13 && out[out.count - 1] == 10) { out += [13, 10] }
            return out
        }
    }
}

/// Base64 (RFC 2045 section 6.8) in lines of 76 characters, each ending in CRLF.
public enum Base64Lines {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes `bytes`; an empty input gives no lines.
    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 4 / 3 + bytes.count / 38 + 4)
        var column = 0
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = bytes[index]
            let b1 = remaining > 1 ? bytes[index + 1] : 0
            let b2 = remaining > 2 ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(remaining > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(remaining > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
            column += 4
            if column == 76 {
                out += [13, 10]
                column = 0
            }
        }
        if column > 0 { out += [13, 10] }
        return out
    }

    /// Base64 of `bytes` on one line, no line break (for encoded-words).
    public static func encodeUnbroken(_ bytes: [UInt8]) -> String {
        var lines = encode(bytes)
        lines.removeAll { $0 == 13 || $0 == 10 }
        return String(decoding: lines, as: UTF8.self)
    }
}

/// Quoted-printable (RFC 2045 section 6.7), every byte kept: a CRLF in the input is a hard line
/// break; a lone CR or LF is written `=0D`/`=0A`, so it comes back as it was.
public enum QuotedPrintable {
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Encodes `bytes` in lines of at most 76 characters, soft breaks (`=`) where needed.
    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        var line: [UInt8] = []
        func flush(hard: Bool) {
            out += line
            if !hard { out.append(UInt8(ascii: "=")) }
            out += [13, 10]
            line.removeAll(keepingCapacity: true)
        }
        func escaped(_ byte: UInt8) -> [UInt8] { [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]] }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 13, index + 1 < bytes.count, bytes[index + 1] == 10 {
                // A space or tab before a line break would be lost in transit: escape it.
                if let last = line.last, last == 32 || last == 9 {
                    line.removeLast()
                    let piece = escaped(last)
                    if line.count + piece.count > 75 { flush(hard: false) }
                    line += piece
                }
                flush(hard: true)
                index += 2
                continue
            }
            let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || byte == 32 || byte == 9
            // A line starting with "." or "From " is escaped too, so no transport rewrites it.
            let startsDangerously = line.isEmpty && (byte == UInt8(ascii: ".") || byte == UInt8(ascii: "F"))
            let piece = literal && !startsDangerously ? [byte] : escaped(byte)
            if line.count + piece.count > 75 { flush(hard: false) }
            line += piece
            index += 1
        }
        if !line.isEmpty {
            if let last = line.last, last == 32 || last == 9 {
                line.removeLast()
                let piece = escaped(last)
                if line.count + piece.count > 75 { flush(hard: false) }
                line += piece
            }
            // The body ends here, not with a line break: a soft break keeps the decoded bytes exact.
            flush(hard: false)
        }
        return out
    }
}

/// Header text: RFC 2047 encoded-words for what is not ASCII, RFC 2231 for parameters.
public enum HeaderText {
    /// `text` as a header's unstructured value: as is when printable ASCII, otherwise
    /// `=?UTF-8?B?…?=` words of at most 75 characters each, split between characters, never inside one.
    public static func unstructured(_ text: String) -> String {
        let flattened = text.replacingLineBreaks()
        if flattened.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }) && !flattened.contains("=?") && !hasUnfoldableRun(flattened) {
            return flattened
        }
        return encodedWords(flattened)
    }

    /// The longest run of bytes without a space a header value may hold as is: folding needs a
    /// space, and a longer run would be cut by a forced fold that adds one (Fuzz/, mime target).
    /// Text with a longer run is written as encoded-words, whose separating spaces decoders drop.
    static let longestUnfoldableRun = 900

    static func hasUnfoldableRun(_ text: String) -> Bool {
        var run = 0
        for byte in text.utf8 {
            run = byte == 32 ? 0 : run + 1
            if run > longestUnfoldableRun { return true }
        }
        return false
    }

    /// `text` as encoded-words separated by a folding space (`=?UTF-8?B?…?=`, each ≤ 75 chars).
    public static func encodedWords(_ text: String) -> String {
        // 75 - "=?UTF-8?B?".count - "?=".count = 63 base64 characters = 45 bytes per word at most.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45, !chunk.isEmpty {
                words.append("=?UTF-8?B?" + Base64Lines.encodeUnbroken(chunk) + "?=")
                chunk.removeAll()
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + Base64Lines.encodeUnbroken(chunk) + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// A mailbox for `From:`, `To:`, `Sender:`: `Name <address>`, the name quoted or encoded as needed.
    public static func mailbox(displayName: String?, address: String) -> String {
        guard let name = displayName?.replacingLineBreaks(), !name.isEmpty else { return "<\(address)>" }
        if name.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }) && !hasUnfoldableRun(name) {
            let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(quoted)\" <\(address)>"
        }
        return encodedWords(name) + " <\(address)>"
    }

    /// A parameter `name=value`: quoted when ASCII, `name*=UTF-8''percent-encoded` (RFC 2231) otherwise.
    /// A value too long for one header line (over 900 bytes written) is split into RFC 2231
    /// continuations, `name*0*=UTF-8''…; name*1*=…`, which folding can put on lines of their own.
    public static func parameter(_ name: String, _ value: String) -> String {
        let flattened = value.replacingLineBreaks()
        if flattened.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }) {
            let quoted = flattened.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            if quoted.utf8.count <= longestUnfoldableRun { return "\(name)=\"\(quoted)\"" }
        }
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        for byte in flattened.utf8 {
            let plain = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            if plain { encoded.append(byte) } else { encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]] }
        }
        if encoded.count <= longestUnfoldableRun { return "\(name)*=UTF-8''" + String(decoding: encoded, as: UTF8.self) }
        // Continuations of at most 60 characters, never splitting a %XX escape.
        var sections: [String] = []
        var start = 0
        while start < encoded.count {
            var end = min(start + 60, encoded.count)
            if end < encoded.count, encoded[end - 1] == UInt8(ascii: "%") { end -= 1 }
            if end < encoded.count, end >= 2, encoded[end - 2] == UInt8(ascii: "%") { end -= 2 }
            let charset = sections.isEmpty ? "UTF-8''" : ""
            sections.append("\(name)*\(sections.count)*=\(charset)" + String(decoding: encoded[start..<end], as: UTF8.self))
            start = end
        }
        return sections.joined(separator: "; ")
    }
}

extension String {
    /// The string with CR and LF turned into spaces: a header value is one logical line.
    func replacingLineBreaks() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 }))
    }

    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
