/// Our own block templates.
///
/// The wording and markup are ours; what they share with Microsoft's blocks is what
/// `find` needs to recognise them (frame lines, join link, product name) and what
/// attendees need (join link, dial-in numbers as `number,,id#`, the conference ID).
/// HTML is one element per line so the block stays readable in a source view.
enum BlockRenderer {
    /// Frame line lengths: Teams about 80 underscores, Skype about 130 periods.
    static let teamsSeparatorLength = 80
    static let skypeSeparatorLength = 130

    /// One piece of a rendered line.
    enum Piece {
        /// Text shown as is (escaped in HTML).
        case text([UInt8])
        /// A link: in HTML an `<a href>`, in plain text the text followed by `<url>`.
        case link(text: [UInt8], url: [UInt8])
        /// A dial string shown as text, linked with `tel:` in HTML.
        case phone(display: [UInt8], tel: [UInt8])
        /// A gap between a number and its label: two spaces, kept in HTML with no-break spaces.
        case spacer
    }

    /// One line of a block and the look it gets in HTML.
    struct Line {
        var pieces: [Piece]
        var style: [UInt8] = []
    }

    /// The UTF-8 bytes of the block for `details`.
    static func render(_ details: JoinDetails, format: BodyFormat) -> [UInt8] {
        let url = sanitizedURL(Array(details.joinURL.utf8))
        var lines: [Line] = []
        switch details.kind {
        case .teams:
            lines.append(Line(pieces: [.text(Array("Microsoft Teams meeting".utf8))], style: Array("font-size:18px;font-weight:bold;margin:12px 0 8px 0".utf8)))
            lines.append(Line(pieces: [.link(text: Array("Join Microsoft Teams Meeting".utf8), url: url)], style: Array("margin-bottom:12px".utf8)))
            lines += dialIn(details, heading: "Or join by phone (audio only)", localNumbers: ("Local numbers", teamsLocalNumbers))
        case .skypeOnline, .skypeOnPremises:
            lines.append(Line(pieces: [.link(text: Array("Join Skype Meeting".utf8), url: url)], style: Array("font-size:16px;margin:12px 0 4px 0".utf8)))
            lines.append(Line(pieces: [.link(text: Array("Trouble joining? Try Skype Web App".utf8), url: SkypeBlock.webAppURL(url))], style: Array("margin-bottom:12px".utf8)))
            lines += dialIn(details, heading: "Join by phone", localNumbers: ("Find a local number", skypeLocalNumbers))
        }
        let frame: [UInt8] = details.kind == .teams
            ? Array(repeating: Byte.underscore, count: teamsSeparatorLength)
            : Array(repeating: Byte.period, count: skypeSeparatorLength)
        var output: [[UInt8]] = []
        switch format {
        case .plainText:
            output.append(frame)
            output += lines.map(plainText)
            output.append(frame)
        case .html:
            let frameLine = Array("<div style=\"color:#8a8a8a;white-space:nowrap;overflow:hidden\">".utf8) + frame + Array("</div>".utf8)
            output.append(frameLine)
            output.append(Array("<div class=\"mms-online-meeting\" style=\"font-family:'Segoe UI',Helvetica,Arial,sans-serif;font-size:14px\">".utf8))
            output += lines.map(html)
            output.append(Array("</div>".utf8))
            output.append(frameLine)
        }
        return Array(output.joined(separator: [Byte.newline]))
    }

    /// The dial-in lines, or none without audio conferencing.
    private static func dialIn(_ details: JoinDetails, heading: String, localNumbers: (text: String, url: (JoinDetails, [UInt8]) -> [UInt8])) -> [Line] {
        guard let conferenceId = details.conferenceId else { return [] }
        let written = Array(conferenceId.utf8).filter { !Byte.isSpace($0) }
        let withoutHash = written.last == Byte.hash ? Array(written.dropLast()) : written
        let digits = withoutHash.filter(Byte.isDigit)
        let allDigits = !digits.isEmpty && digits.count == withoutHash.count
        var lines = [Line(pieces: [.text(Array(heading.utf8))], style: Array("margin-top:8px".utf8))]
        for number in details.dialInNumbers {
            let dialed = Array(number.number.utf8).filter { Byte.isDigit($0) || $0 == Byte.plus }
            var display = sanitizedText(Array(number.number.utf8))
            var tel = Array("tel:".utf8) + dialed
            if allDigits {
                display += Array(",,".utf8) + digits + [Byte.hash]
                tel += Array(",,".utf8) + digits + Array("%23".utf8)
            }
            var pieces: [Piece] = [.phone(display: display, tel: tel)]
            if !number.label.isEmpty {
                pieces.append(.spacer)
                pieces.append(.text(sanitizedText(Array(number.label.utf8))))
            }
            lines.append(Line(pieces: pieces))
        }
        let shownId = allDigits ? grouped(digits) + [Byte.hash] : sanitizedText(Array(conferenceId.utf8))
        lines.append(Line(pieces: [.text(Array("Conference ID: ".utf8) + shownId)], style: Array("margin-top:8px".utf8)))
        lines.append(Line(pieces: [.link(text: Array(localNumbers.text.utf8), url: sanitizedURL(localNumbers.url(details, digits)))], style: Array("margin-top:8px".utf8)))
        return lines
    }

    /// The Teams page listing dial-in numbers for a conference.
    private static func teamsLocalNumbers(_ details: JoinDetails, _ digits: [UInt8]) -> [UInt8] {
        Array("https://dialin.teams.microsoft.com/".utf8) + (digits.isEmpty ? [] : Array("?id=".utf8) + digits)
    }

    /// The Skype page listing dial-in numbers: Microsoft's for Skype online, the
    /// deployment's `dialin.` simple URL on-premises.
    private static func skypeLocalNumbers(_ details: JoinDetails, _ digits: [UInt8]) -> [UInt8] {
        if details.kind == .skypeOnPremises, let parts = URLParts(Array(details.joinURL.utf8)) {
            let meet = Array("meet.".utf8)
            if parts.host.starts(with: meet) {
                return Array("https://dialin.".utf8) + parts.host.dropFirst(meet.count) + [Byte.slash]
            }
            return Array("https://".utf8) + parts.host + Array("/dialin".utf8)
        }
        return Array("https://dialin.lync.com/".utf8)
    }

    /// Digits in groups of three, as invitations show conference IDs (`291 633 251`);
    /// a lone digit at the end joins the group before it (`551 2098`).
    static func grouped(_ digits: [UInt8]) -> [UInt8] {
        var groups: [ArraySlice<UInt8>] = []
        var start = 0
        while start < digits.count {
            let remaining = digits.count - start
            let length = remaining == 4 ? 4 : Swift.min(3, remaining)
            groups.append(digits[start..<(start + length)])
            start += length
        }
        return Array(groups.joined(separator: [Byte.space]))
    }

    /// Text with control characters (line breaks included) turned into spaces, so a
    /// label stays on its line and cannot start a line of its own.
    static func sanitizedText(_ text: [UInt8]) -> [UInt8] {
        text.map { $0 < Byte.space || $0 == Byte.delete ? Byte.space : $0 }
    }

    /// A URL with the bytes a URL may not hold percent-encoded (whitespace, controls,
    /// non-ASCII, `"`, `<`, `>`), so it can sit in an attribute or in angle brackets and
    /// be found whole again. Valid URLs come out unchanged.
    static func sanitizedURL(_ url: [UInt8]) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var result: [UInt8] = []
        for byte in url {
            if byte <= Byte.space || byte >= Byte.delete || byte == Byte.quote || byte == Byte.lessThan || byte == Byte.greaterThan {
                result += [Byte.percent, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            } else {
                result.append(byte)
            }
        }
        return result
    }

    private static func plainText(_ line: Line) -> [UInt8] {
        var result: [UInt8] = []
        for piece in line.pieces {
            switch piece {
            case .text(let text): result += text
            case .link(let text, let url): result += text + Array(": <".utf8) + url + [Byte.greaterThan]
            case .phone(let display, _): result += display
            case .spacer: result += Array("  ".utf8)
            }
        }
        return result
    }

    private static func html(_ line: Line) -> [UInt8] {
        var result = Array("<div".utf8)
        if !line.style.isEmpty { result += Array(" style=\"".utf8) + line.style + [Byte.quote] }
        result.append(Byte.greaterThan)
        for piece in line.pieces {
            switch piece {
            case .text(let text):
                result += escaped(text)
            case .link(let text, let url):
                result += Array("<a href=\"".utf8) + escaped(url) + Array("\">".utf8) + escaped(text) + Array("</a>".utf8)
            case .phone(let display, let tel):
                result += Array("<a href=\"".utf8) + escaped(tel) + Array("\">".utf8) + escaped(display) + Array("</a>".utf8)
            case .spacer:
                result += Array("&nbsp;&nbsp;".utf8)
            }
        }
        return result + Array("</div>".utf8)
    }

    /// `text` escaped for HTML text or a double-quoted attribute.
    ///
    /// Besides `& < > " '`, a long run of underscores or periods is written as character
    /// references: it looks the same, but cannot pass for a frame line.
    static func escaped(_ text: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == Byte.underscore || byte == Byte.period {
                var end = index
                while end < text.count, text[end] == byte { end += 1 }
                if end - index >= 20 {
                    let reference = Array((byte == Byte.underscore ? "&#95;" : "&#46;").utf8)
                    for _ in index..<end { result += reference }
                } else {
                    result += text[index..<end]
                }
                index = end
                continue
            }
            switch byte {
            case Byte.ampersand: result += Array("&amp;".utf8)
            case Byte.lessThan: result += Array("&lt;".utf8)
            case Byte.greaterThan: result += Array("&gt;".utf8)
            case Byte.quote: result += Array("&quot;".utf8)
            case Byte.apostrophe: result += Array("&#39;".utf8)
            default: result.append(byte)
            }
            index += 1
        }
        return result
    }
}
