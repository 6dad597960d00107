#if !FUZZING
@testable import MMSMIME
#endif

/// Target `mime` (Sources/MMSMIME): the builder of the invitation e-mail, fed a subject, a display
/// name, a text and an attachment that came from users.
///
/// Input: four fields, each a 2-byte big-endian length and its bytes (subject, name, text,
/// attachment). The message built from them is read back by a small, independent MIME reader
/// written here (RFC 5322, 2045, 2046, 2047, 2231). Properties:
/// - **Transport-safe.** Only ASCII, only CRLF line breaks, no line over 998 octets, and no header
///   line made only of white space (RFC 5322 §3.2.2).
/// - **Round trip.** Subject, display name and attachment file name decode to what went in (line
///   breaks become spaces, as documented); every part's content decodes to its bytes, exactly.
enum MIMEFuzz {
    static let name = "mime"

    static func check(_ data: [UInt8]) throws(PropertyFailure) {
        var input = FuzzBytes(data)
        func field() -> [UInt8] { input.take(Int(input.byte()) << 8 | Int(input.byte())) }
        let subject = String(decoding: field(), as: UTF8.self)
        let name = String(decoding: field(), as: UTF8.self)
        let text = String(decoding: field(), as: UTF8.self)
        let attachment = field()
        let calendar = Array(text.utf8.reversed())
        let message = MIMEMessage(
            headers: [
                MIMEHeaderField("From", HeaderText.mailbox(displayName: name, address: "organizer@example.com")),
                MIMEHeaderField("Subject", HeaderText.unstructured(subject)),
            ],
            body: .multipart(subtype: "mixed", parts: [
                .multipart(subtype: "alternative", parts: [
                    .text("plain", text),
                    .leaf(contentType: "text/calendar; method=REQUEST; charset=UTF-8", headers: [], encoding: .base64, content: calendar),
                ]),
                .attachment(fileName: name, contentType: subject, content: attachment),
            ]))
        let bytes = message.serialized(boundarySeed: subject)

        // Transport-safe.
        try require(bytes.allSatisfy { $0 < 128 }, "the message holds a non-ASCII byte")
        var lineStart = 0
        for index in bytes.indices {
            if bytes[index] == 10 {
                try require(index > 0 && bytes[index - 1] == 13, "a bare LF at \(index)")
                try require(index - 1 - lineStart <= 998, "a line of \(index - 1 - lineStart) octets at \(lineStart)")
                lineStart = index + 1
            } else if bytes[index] == 13 {
                try require(index + 1 < bytes.count && bytes[index + 1] == 10, "a bare CR at \(index)")
            }
        }
        try require(lineStart == bytes.count, "the message does not end with CRLF")

        // Round trip.
        let entity = try Entity(bytes[...])
        let flatSubject = flattened(subject)
        try require(try decodeUnstructured(entity.header("Subject")) == flatSubject,
                    "Subject \(flatSubject.debugDescription) reads back as \(String(describing: try? decodeUnstructured(entity.header("Subject"))))")
        let from = entity.header("From") ?? ""
        try require(try decodeMailbox(from) == flattened(name), "From's name \(flattened(name).debugDescription) reads back from \(from.debugDescription)")
        let leaves = try entity.leaves()
        try require(leaves.count == 3, "\(leaves.count) parts, expected 3")
        try require(leaves[0].content == Array(text.utf8), "the text part decodes to \(describe(leaves[0].content)), not \(describe(Array(text.utf8)))")
        try require(leaves[1].content == calendar, "the calendar part decodes differently")
        try require(leaves[2].content == attachment, "the attachment decodes differently")
        let disposition = leaves[2].entity.header("Content-Disposition") ?? ""
        try require(try decodeParameter("filename", in: disposition) == flattened(name),
                    "the file name \(flattened(name).debugDescription) reads back from \(disposition.debugDescription)")
    }

    /// Where the first `needle` in `text` ends (a byte search: the stdlib's generic one is slow here).
    static func after(_ needle: String, in text: String) -> String.Index? {
        let haystack = Array(text.utf8)
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, haystack.count >= pattern.count else { return nil }
        for start in 0...(haystack.count - pattern.count) where haystack[start] == pattern[0] {
            if haystack[start..<(start + pattern.count)].elementsEqual(pattern) {
                return text.utf8.index(text.utf8.startIndex, offsetBy: start + pattern.count)
            }
        }
        return nil
    }

    static func flattened(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 }))
    }

    /// One MIME entity: its header fields (unfolded) and its body bytes.
    struct Entity {
        var fields: [(name: String, value: String)] = []
        var body: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) throws(PropertyFailure) {
            var index = bytes.startIndex
            var lines: [String] = []
            while true {
                guard let end = bytes[index...].firstIndex(of: 13) else { throw PropertyFailure(description: "the header has no end") }
                let line = String(decoding: bytes[index..<end], as: UTF8.self)
                index = end + 2
                if line.isEmpty { break }
                if line.first == " " || line.first == "\t" {
                    try require(line.contains { $0 != " " && $0 != "\t" }, "a header line made only of white space")
                    try require(!lines.isEmpty, "a continuation line before any field")
                    lines[lines.count - 1] += line
                } else {
                    lines.append(line)
                }
            }
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { throw PropertyFailure(description: "header line \(line.debugDescription) has no colon") }
                var value = line[line.index(after: colon)...]
                if value.first == " " { value = value.dropFirst() }
                fields.append((String(line[..<colon]), String(value)))
            }
            body = bytes[index...]
        }

        func header(_ name: String) -> String? { fields.first { $0.name.lowercased() == name.lowercased() }?.value }

        /// The leaves in order, each decoded by its transfer encoding.
        func leaves() throws(PropertyFailure) -> [(entity: Entity, content: [UInt8])] {
            let type = header("Content-Type") ?? ""
            if type.lowercased().hasPrefix("multipart/") {
                guard let start = after("boundary=\"", in: type), let end = type[start...].firstIndex(of: "\"") else {
                    throw PropertyFailure(description: "multipart without a boundary: \(type)")
                }
                let boundary = Array(("--" + type[start..<end]).utf8)
                // Lines equal to the delimiter split the body; the last is the close delimiter.
                var parts: [ArraySlice<UInt8>] = []
                var current: Int?
                var index = body.startIndex
                var closed = false
                while index < body.endIndex {
                    let end = body[index...].firstIndex(of: 13) ?? body.endIndex
                    let line = Array(body[index..<end])
                    if line == boundary || line == boundary + Array("--".utf8) {
                        if let current { parts.append(body[current..<index]) }
                        current = end + 2
                        if line != boundary { closed = true; break }
                    }
                    index = end + 2
                }
                try require(closed, "multipart without its close delimiter")
                var result: [(entity: Entity, content: [UInt8])] = []
                for part in parts { result += try Entity(part).leaves() }
                return result
            }
            switch (header("Content-Transfer-Encoding") ?? "").lowercased() {
            case "base64": return [(self, try base64(body))]
            case "quoted-printable": return [(self, try quotedPrintable(body))]
            default: return [(self, Array(body))]
            }
        }
    }

    static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    static func base64(_ encoded: ArraySlice<UInt8>) throws(PropertyFailure) -> [UInt8] {
        var values: [UInt8] = []
        values.reserveCapacity(encoded.count)
        var padding = 0
        for byte in encoded where byte != 13 && byte != 10 {
            if byte == UInt8(ascii: "=") { padding += 1; continue }
            let value = base64Values[Int(byte)]
            guard padding == 0, value < 64 else { throw PropertyFailure(description: "bad base64 byte \(byte)") }
            values.append(value)
        }
        try require((values.count + padding) % 4 == 0 && padding <= 2, "base64 of \(values.count) characters and \(padding) pads")
        var out: [UInt8] = []
        var index = 0
        while index + 1 < values.count {
            out.append(values[index] << 2 | values[index + 1] >> 4)
            if index + 2 < values.count { out.append(values[index + 1] << 4 | values[index + 2] >> 2) }
            if index + 3 < values.count { out.append(values[index + 2] << 6 | values[index + 3]) }
            index += 4
        }
        return out
    }

    static func quotedPrintable(_ encoded: ArraySlice<UInt8>) throws(PropertyFailure) -> [UInt8] {
        var out: [UInt8] = []
        let bytes = Array(encoded)
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: return byte - 48
            case 65...70: return byte - 55
            default: return nil
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                if index + 2 < bytes.count, bytes[index + 1] == 13, bytes[index + 2] == 10 { index += 3; continue }  // soft break
                guard index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) else {
                    throw PropertyFailure(description: "bad quoted-printable escape at \(index)")
                }
                out.append(high << 4 | low)
                index += 3
                continue
            }
            if byte == 13 { out += [13, 10]; index += 2; continue }  // a hard line break
            try require(byte != 32 && byte != 9 || (index + 1 < bytes.count && bytes[index + 1] != 13),
                        "white space before a line break in quoted-printable")
            try require(byte >= 32 || byte == 9, "a control byte \(byte) written literally in quoted-printable")
            out.append(byte)
            index += 1
        }
        return out
    }

    /// An unstructured value: as is, or RFC 2047 `=?UTF-8?B?…?=` words (the space between them ignored).
    static func decodeUnstructured(_ value: String?) throws(PropertyFailure) -> String {
        guard let value else { throw PropertyFailure(description: "header missing") }
        guard value.hasPrefix("=?") else { return value }
        var bytes: [UInt8] = []
        for word in value.split(separator: " ") {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { throw PropertyFailure(description: "not an encoded-word: \(word)") }
            try require(word.utf8.count <= 75, "an encoded-word of \(word.utf8.count) characters")
            bytes += try base64(Array(word.utf8.dropFirst(10).dropLast(2))[...])
        }
        try require(String(validating: bytes, as: UTF8.self) != nil, "encoded-words do not hold UTF-8")
        return String(decoding: bytes, as: UTF8.self)
    }

    static func decodeMailbox(_ value: String) throws(PropertyFailure) -> String {
        let address = "<organizer@example.com>"
        if value == address { return "" }
        guard value.hasSuffix(" " + address) else { throw PropertyFailure(description: "no address in \(value.debugDescription)") }
        let phrase = value.dropLast(address.count + 1)
        guard phrase.hasPrefix("\"") else { return try decodeUnstructured(String(phrase)) }
        try require(phrase.count >= 2 && phrase.hasSuffix("\""), "an unterminated quoted name")
        return unquote(phrase.dropFirst().dropLast())
    }

    static func unquote(_ quoted: Substring) -> String {
        var result = ""
        var escaped = false
        for character in quoted {
            if escaped { result.append(character); escaped = false } else if character == "\\" { escaped = true } else { result.append(character) }
        }
        return result
    }

    /// `name="…"` or RFC 2231's `name*=UTF-8''%XX…` inside a header value.
    static func decodeParameter(_ name: String, in value: String) throws(PropertyFailure) -> String {
        if let start = after("; \(name)=\"", in: value) {
            var end = start
            var escaped = false
            while end < value.endIndex {
                if escaped { escaped = false } else if value[end] == "\\" { escaped = true } else if value[end] == "\"" { break }
                end = value.index(after: end)
            }
            return unquote(value[start..<end])
        }
        var encoded = ""
        if let start = after("; \(name)*=UTF-8''", in: value) {
            encoded = String(value[start...].prefix { $0 != ";" })
        } else {
            // RFC 2231 continuations: name*0*=UTF-8''…; name*1*=…; …
            var section = 0
            while let start = after("; \(name)*\(section)*=" + (section == 0 ? "UTF-8''" : ""), in: value) {
                encoded += value[start...].prefix { $0 != ";" }
                section += 1
            }
            try require(section > 0, "no \(name) in \(value)")
        }
        var bytes: [UInt8] = []
        var utf8 = Array(encoded.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard let high = utf8.popFirst(), let low = utf8.popFirst(), let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else {
                    throw PropertyFailure(description: "a bad percent escape")
                }
                bytes.append(value)
            } else if byte != 32 {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do { try MIMEFuzz.check(bytes) } catch { fatalError("property failed: \(error)") }
    return 0
}
#endif
