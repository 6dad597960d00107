import NIOCore

/// One SMTP reply (RFC 5321 section 4.2): a code, its enhanced status code (RFC 3463) when the
/// server gives one, and its text lines, a multi-line reply gathered into one value.
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    /// The three-digit code.
    public var code: Int
    /// The enhanced status code, e.g. `5.1.1`, when the first line starts with one.
    public var enhancedCode: String?
    /// The text of each line, code and separator removed (the enhanced code kept).
    public var lines: [String]

    /// Creates a reply.
    public init(code: Int, enhancedCode: String? = nil, lines: [String]) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.lines = lines
    }

    /// `2xx`.
    public var isCompletion: Bool { (200..<300).contains(code) }
    /// `3xx`: the server waits for more (354 after DATA, 334 during AUTH).
    public var isIntermediate: Bool { (300..<400).contains(code) }
    /// `4xx`: try again later.
    public var isTransient: Bool { (400..<500).contains(code) }
    /// `5xx`: do not try again as is.
    public var isPermanent: Bool { (500..<600).contains(code) }

    /// `550 5.1.1 no such user` (lines joined by a space): what an admin reads.
    public var description: String { "\(code) " + lines.joined(separator: " ") }

    /// The EHLO keywords (upper-cased, parameters kept) of a reply to EHLO: every line but the first.
    public var extensions: [String: String] {
        var result: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let keyword = parts.first else { continue }
            result[keyword.uppercased()] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }
}

/// Errors of the SMTP client that are not a server's reply.
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for an admin (never holds a secret).
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Splits the byte stream into replies; a multi-line reply (`250-…` lines, then `250 …`) is one
/// reply. A line longer than `maximumLineLength` is an error before it is buffered whole.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    static let maximumLineLength = 4096
    private var code: Int?
    private var lines: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let reply = try nextReply(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(reply))
        return .continue
    }

    /// The next whole reply in `buffer`, or nil when it holds no complete reply yet; the lines of
    /// a reply still arriving are kept. The decoder's logic without a channel (Fuzz/, smtp-reply).
    mutating func nextReply(from buffer: inout ByteBuffer) throws(SMTPError) -> SMTPReply? {
        while true {
            guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
                if buffer.readableBytes > Self.maximumLineLength { throw SMTPError("the server sent a reply line over \(Self.maximumLineLength) bytes") }
                return nil
            }
            let length = newline - buffer.readerIndex + 1
            guard length <= Self.maximumLineLength + 1, var bytes = buffer.readBytes(length: length) else {
                throw SMTPError("the server sent a reply line over \(Self.maximumLineLength) bytes")
            }
            // Bytes, not Characters: "\r\n" is one Character, so String's hasSuffix("\n") misses it.
            while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
            // The code and the text are cut at byte offsets, not Characters: a combining mark or an
            // invalid byte after the separator must neither drop text nor hide the code (Fuzz/, smtp-reply).
            guard bytes.count >= 3, bytes[0...2].allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                throw SMTPError("the server sent a line that is not an SMTP reply: \(String(decoding: bytes, as: UTF8.self).prefix(80))")
            }
            let lineCode = bytes[0...2].reduce(0) { $0 * 10 + Int($1 - 48) }
            if let code, code != lineCode { throw SMTPError("the server changed the reply code inside a multi-line reply") }
            code = lineCode
            let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
            lines.append(String(decoding: bytes.dropFirst(4), as: UTF8.self))
            if separator == UInt8(ascii: "-") { continue }
            let reply = SMTPReply(code: lineCode, enhancedCode: Self.enhancedCode(lines.first ?? "", code: lineCode), lines: lines)
            code = nil
            lines = []
            return reply
        }
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue, buffer.readableBytes > 0 {}
        return .needMoreData
    }

    /// `x.y.z` at the start of `text` whose class matches the reply code's first digit (RFC 3463).
    static func enhancedCode(_ text: String, code: Int) -> String? {
        guard let first = text.split(separator: " ").first else { return nil }
        let parts = first.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }),
            parts[0] == String(code / 100)
        else { return nil }
        return String(first)
    }
}
