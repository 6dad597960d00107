/// One body part of a message: a leaf with its bytes, or a multipart of other parts.
public indirect enum MIMEPart: Sendable, Hashable {
    /// A leaf: `contentType` (with its parameters, already written), extra header fields, the
    /// transfer encoding, and the unencoded bytes.
    case leaf(contentType: String, headers: [MIMEHeaderField], encoding: MIMEEncoding, content: [UInt8])
    /// A `multipart/<subtype>` holding `parts` in order.
    case multipart(subtype: String, parts: [MIMEPart])

    /// A text part: `text/<subtype>; charset=UTF-8`, the text's UTF-8 bytes unchanged.
    public static func text(_ subtype: String, _ text: String, encoding: MIMEEncoding = .quotedPrintable, parameters: [String] = [])
        -> MIMEPart
    {
        let type = (["text/\(subtype)"] + parameters + ["charset=UTF-8"]).joined(separator: "; ")
        return .leaf(contentType: type, headers: [], encoding: encoding, content: Array(text.utf8))
    }

    /// An attachment: base64, `Content-Disposition: attachment` with its file name (RFC 2231 when not ASCII).
    public static func attachment(fileName: String, contentType: String, content: [UInt8]) -> MIMEPart {
        // RFC 6838 §4.2: type and subtype names are at most 127 characters; a longer "type" (or one
        // with parameters too long to fold) would be cut by a forced fold, so it is not used.
        let safeType = contentType.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) && contentType.contains("/") && contentType.utf8.count <= 255
            // A leaf cannot be a multipart or a message (RFC 2046 §5): it would have no boundary.
            && !contentType.lowercased().hasPrefix("multipart/") && !contentType.lowercased().hasPrefix("message/")
            ? contentType : "application/octet-stream"
        return .leaf(
            contentType: "\(safeType); \(HeaderText.parameter("name", fileName))",
            headers: [MIMEHeaderField("Content-Disposition", "attachment; \(HeaderText.parameter("filename", fileName))")],
            encoding: .base64, content: content)
    }
}

/// A header field: its name and its value, already encoded (see ``HeaderText``).
public struct MIMEHeaderField: Sendable, Hashable {
    /// The field name, e.g. `Subject`.
    public var name: String
    /// The value, ASCII, possibly holding CRLF + space folds.
    public var value: String
    /// Creates a field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A whole message: top-level header fields and a body part, written with CRLF line endings and
/// no line over 998 octets (RFC 5322 section 2.1.1).
public struct MIMEMessage: Sendable, Hashable {
    /// The top-level header fields, in order (`MIME-Version` is added when written).
    public var headers: [MIMEHeaderField]
    /// The body.
    public var body: MIMEPart

    /// Creates a message.
    public init(headers: [MIMEHeaderField], body: MIMEPart) {
        self.headers = headers
        self.body = body
    }

    /// The message's bytes, ready for SMTP `DATA` (before dot-stuffing).
    ///
    /// - Parameter boundarySeed: makes the multipart boundaries; any text unique to this message.
    ///   A boundary starts with `=_`, which neither base64 nor quoted-printable ever writes, so it
    ///   cannot occur in an encoded part.
    public func serialized(boundarySeed: String) -> [UInt8] {
        var out: [UInt8] = []
        var fields = headers
        fields.append(MIMEHeaderField("MIME-Version", "1.0"))
        for field in fields { out += Self.folded(field) }
        var counter = 0
        Self.write(body, into: &out, seed: Self.boundaryText(boundarySeed), counter: &counter)
        return out
    }

    private static func boundaryText(_ seed: String) -> String {
        let allowed = seed.unicodeScalars.filter { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
        return String(String.UnicodeScalarView(allowed.prefix(40)))
    }

    private static func write(_ part: MIMEPart, into out: inout [UInt8], seed: String, counter: inout Int) {
        switch part {
        case .leaf(let contentType, let headers, let encoding, let content):
            out += folded(MIMEHeaderField("Content-Type", contentType))
            out += folded(MIMEHeaderField("Content-Transfer-Encoding", encoding.rawValue))
            for field in headers { out += folded(field) }
            out += [13, 10]
            out += encoding.encode(content)
        case .multipart(let subtype, let parts):
            counter += 1
            let boundary = "=_mms_\(counter)_\(seed)"
            out += folded(MIMEHeaderField("Content-Type", "multipart/\(subtype); boundary=\"\(boundary)\""))
            out += [13, 10]
            for child in parts {
                out += Array("--\(boundary)\r\n".utf8)
                write(child, into: &out, seed: seed, counter: &counter)
            }
            out += Array("--\(boundary)--\r\n".utf8)
        }
    }

    /// `Name: value` CRLF, folded before a space or after a `,`/`;` so lines stay under 78 characters
    /// where the value allows, and always under 998.
    static func folded(_ field: MIMEHeaderField) -> [UInt8] {
        let text = Array("\(field.name): \(field.value)".utf8)
        var out: [UInt8] = []
        var lineLength = 0
        // Whether the line so far holds more than white space: a fold never leaves a line of only
        // white space, which RFC 5322 §3.2.2 forbids generating (Fuzz/Regressions/mime).
        var lineHasText = false
        // Nor is a fold put before trailing white space, which would end the field with such a line.
        let lastText = text.lastIndex { $0 != 32 && $0 != 9 } ?? -1
        var index = 0
        // The space after "Name:" is never a fold: a value must not start with a line break.
        let firstFold = field.name.utf8.count + 2
        while index < text.count {
            let byte = text[index]
            if byte == 13, index + 1 < text.count, text[index + 1] == 10 {  // a fold already in the value
                out += [13, 10]
                lineLength = 0
                lineHasText = false
                index += 2
                continue
            }
            if byte == 32, index >= firstFold, lineLength > 0, lineHasText, index < lastText,
               lineLength >= 60 || lineLength + nextWordLength(text, from: index + 1) > 76 {
                out += [13, 10]
                lineLength = 0
                lineHasText = false
            } else if lineLength >= 990 {
                // A word this long cannot be folded (folding needs whitespace); never exceed 998.
                out += [13, 10, 32]
                lineLength = 1
            }
            out.append(byte)
            lineLength += 1
            if byte != 32 && byte != 9 { lineHasText = true }
            index += 1
        }
        out += [13, 10]
        return out
    }

    private static func nextWordLength(_ text: [UInt8], from start: Int) -> Int {
        var end = start
        while end < text.count, text[end] != 32, text[end] != 13 { end += 1 }
        return end - start + 1
    }
}
