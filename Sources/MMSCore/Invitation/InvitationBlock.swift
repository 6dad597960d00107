/// Finds, renders and replaces the online-meeting block of a meeting invitation.
///
/// The block is the part of an invitation body that tells attendees how to join:
/// a Teams block framed by lines of underscores, or a Skype for Business / Lync block
/// framed by lines of periods, in HTML or plain text. Everything here works on the
/// body's UTF-8 bytes, never on characters, so text outside a block is never normalised
/// or re-encoded (M3, M8): NFC and NFD stay distinct, emoji sequences stay whole.
///
/// ## Recognising a block
/// - **Frame lines.** A run of 40–240 underscores (Teams) or 40–400 periods (Skype, Lync)
///   that stands alone: in plain text alone on its line, in HTML alone between tags or
///   line breaks; spaces, no-break spaces (also as `&nbsp;`) and invisible marks around it
///   are allowed. The 32-underscore rule Outlook writes for `<hr>` is not a frame line.
/// - **Join URL.** Between two frame lines, the first URL of the family's shape: Teams,
///   `https://teams.microsoft.com/l/meetup-join/...` (also `/meet/<id>`, and the
///   `teams.cloud.microsoft`, US government and `teams.live.com` hosts); Skype,
///   `https://meet.lync.com/<tenant>/<user>/<key>`, `https://meet.<domain>/<user>/<key>` or
///   `https://<host>/meet/<user>/<key>`, with `sl=` (the Web App link) removed. URLs are
///   taken from attributes or running text; HTML references in them are decoded.
/// - **Wording.** The visible text (tags and URLs left out) names "Microsoft Teams", or
///   "Skype" / "Lync" / "Join online meeting" / the `[!OC(` marker, in any case and any
///   language around it.
/// - **Extent.** Plain text: from the first frame line's start to the last one's end,
///   line break excluded. HTML: the frame lines with the elements that hold only them
///   (`<div><span>____</span></div>`, Word's `<p class=MsoNormal>...<o:p></o:p></p>`),
///   balanced, so no element that also holds the user's text is taken.
/// - **Choices.** Where a user's own rule sits next to a block, the stretch framed by
///   equal-length lines wins. A full-length rule inside a block is crossed only into a
///   section that holds a dial string or `tel:` link and dial-in wording.
///
/// ## Known limits
/// A block that lost a frame line, or whose frame line is split across elements, is not
/// found (the engine then leaves the meeting alone). Links rewritten by mail filters
/// (Safe Links) are not unwrapped. A join URL is returned as written, entity-decoded;
/// ``meetingIdentity(ofJoinURL:)`` compares URLs that differ only in spelling.
public enum InvitationBlock {
    /// Every online-meeting block in `body`, in order.
    ///
    /// A block is the stretch between two frame lines (underscores for Teams, periods for
    /// Skype/Lync) that holds a join URL of that family and its wording ("Microsoft Teams";
    /// "Skype" or "Lync"). In HTML the frame lines' own elements belong to the block.
    /// `kind` is `.teams` for Teams blocks; for Skype/Lync blocks `.skypeOnline` when the
    /// join URL host is `meet.lync.com`, else `.skypeOnPremises`. Blocks never overlap.
    /// A block pasted from another meeting is found like any other, with its URL (M4 is
    /// the engine's business).
    /// - Parameters:
    ///   - body: The invitation body.
    ///   - format: Whether `body` is HTML or plain text.
    /// - Returns: The blocks, ordered by position; empty when the body has none.
    public static func find(in body: String, format: BodyFormat) -> [FoundBlock] {
        blocks(in: Array(body.utf8), format: format)
    }

    /// A block for `details`, in our own wording and markup.
    ///
    /// Teams details give a Teams block, Skype details a Skype block. When `conferenceId`
    /// is set the block lists the dial-in numbers (`number,,id#`, `tel:` links in HTML),
    /// the conference ID in groups of three (`291 633 251#`) and a local-numbers link.
    /// Text is HTML-escaped in HTML; characters a URL may not hold are percent-encoded.
    /// `find(in:format:)` finds the result again, whole, with the same join URL (and the
    /// same kind, given a Skype online URL on `meet.lync.com`).
    /// - Parameters:
    ///   - details: The meeting's join details.
    ///   - format: The format of the body the block goes into.
    /// - Returns: The block, with `\n` line endings and no line break at the end.
    public static func render(_ details: JoinDetails, format: BodyFormat) -> String {
        String(decoding: BlockRenderer.render(details, format: format), as: UTF8.self)
    }

    /// `body` with a new block for `details` added, as Outlook's "Add online meeting" button
    /// adds one (issue 9, M3).
    ///
    /// The block takes the body's own line ending: that of the last line break before the place
    /// it goes, or the body's first when there is none before it; LF in a body with no line break. Plain text: the block follows the body after one empty line. HTML: in
    /// a full document the block goes inside `<body>`, just before `</body>` (or before `</html>`
    /// when there is no `</body>`); otherwise it follows the body on a new line. Every byte of
    /// `body` is kept; only the block and its separating line breaks are added.
    public static func appending(_ details: JoinDetails, to body: String, format: BodyFormat) -> String {
        let bytes = Array(body.utf8)
        // Where the block goes: at the end, or in an HTML document just before `</body>` (`</html>`).
        let close = format == .html
            ? lastTag(in: bytes, named: Array("/body".utf8)) ?? lastTag(in: bytes, named: Array("/html".utf8)) : nil
        let insertion = close ?? bytes.count
        let crlf = lastLineEnding(in: bytes[..<insertion]) ?? lineEnding(of: bytes[...]) ?? false
        let eol: [UInt8] = crlf ? [Byte.carriageReturn, Byte.newline] : [Byte.newline]
        var block = BlockRenderer.render(details, format: format)
        if crlf { block = block.flatMap { $0 == Byte.newline ? eol : [$0] } }
        guard !bytes.isEmpty else { return String(decoding: block, as: UTF8.self) }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + block.count + 2 * eol.count)
        switch format {
        case .plainText:
            result += bytes
            result += eol + eol + block
        case .html:
            if let close {
                // Inside the document: on lines of its own, just before the closing tag.
                let before = bytes[..<close]
                let atLineStart = before.isEmpty || before.last == Byte.newline
                result += before
                if !atLineStart { result += eol }
                result += block + eol
                result += bytes[close...]
            } else {
                result += bytes
                result += eol + block
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// The offset of the last `<name` tag (ASCII case-insensitive, followed by `>`, a space or
    /// `/`) in `bytes`, if any.
    private static func lastTag(in bytes: [UInt8], named name: [UInt8]) -> Int? {
        let needle = [Byte.lessThan] + name
        guard bytes.count >= needle.count else { return nil }
        var index = bytes.count - needle.count
        while index >= 0 {
            var matches = true
            for (offset, expected) in needle.enumerated() {
                let byte = bytes[index + offset]
                let lowered = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
                if lowered != expected { matches = false; break }
            }
            if matches {
                let after = index + needle.count
                if after == bytes.count || bytes[after] == UInt8(ascii: ">") || Byte.isSpace(bytes[after]) || bytes[after] == UInt8(ascii: "/") {
                    return index
                }
            }
            index -= 1
        }
        return nil
    }

    /// Whether the last line break in `bytes` is CRLF (true), LF (false), or there is none (nil).
    private static func lastLineEnding(in bytes: ArraySlice<UInt8>) -> Bool? {
        guard let newline = bytes.lastIndex(of: Byte.newline) else { return nil }
        return newline > bytes.startIndex && bytes[newline - 1] == Byte.carriageReturn
    }

    /// Whether the first line break in `bytes` is CRLF (true), LF (false), or there is none (nil).
    private static func lineEnding(of bytes: some Collection<UInt8>) -> Bool? {
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == Byte.newline { return previous == Byte.carriageReturn }
            previous = byte
        }
        return nil
    }

    /// `body` with `block` replaced by `render(details, format:)`.
    ///
    /// Every UTF-8 byte outside `block.utf8Range` is kept identical (M3, M8); whatever
    /// was inside the block, a user's edits and a meeting-notes link included, is
    /// overwritten (M6). The new block takes the line endings of the old one (CRLF or LF;
    /// for a one-line block, those of the body).
    /// - Precondition: `block` came from `find(in: body, format:)`: its range lies within
    ///   `body.utf8` and does not split a character.
    /// - Parameters:
    ///   - block: A block that `find(in:format:)` returned for this same `body`.
    ///   - body: The invitation body.
    ///   - details: The join details of the new block.
    ///   - format: Whether `body` is HTML or plain text.
    /// - Returns: The new body.
    public static func replacing(_ block: FoundBlock, in body: String, with details: JoinDetails, format: BodyFormat) -> String {
        let bytes = Array(body.utf8)
        let range = block.utf8Range
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "block range \(range) outside a body of \(bytes.count) bytes")
        precondition(range.lowerBound == bytes.count || !Byte.isContinuation(bytes[range.lowerBound]), "block range starts inside a character")
        precondition(range.upperBound == bytes.count || !Byte.isContinuation(bytes[range.upperBound]), "block range ends inside a character")
        var rendered = BlockRenderer.render(details, format: format)
        if usesCRLF(old: bytes[range], body: bytes) {
            rendered = rendered.flatMap { $0 == Byte.newline ? [Byte.carriageReturn, Byte.newline] : [$0] }
        }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count - range.count + rendered.count)
        result += bytes[..<range.lowerBound]
        result += rendered
        result += bytes[range.upperBound...]
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether a new block should use CRLF line breaks: as the old block did, or as the
    /// body does when the old block had no line break.
    private static func usesCRLF(old: ArraySlice<UInt8>, body: [UInt8]) -> Bool {
        lineEnding(of: old) ?? lineEnding(of: body) ?? false
    }
}
