/// A URL found in a body.
struct ScannedURL: Equatable {
    /// Where the URL's bytes are in the body, as written (HTML references not decoded).
    var range: Range<Int>
    /// The URL itself: the bytes in `range`, with HTML character references decoded in HTML bodies.
    var text: [UInt8]
}

/// Finds the URLs written in a body, in link targets or in running text.
enum LinkScanner {
    private static let httpsScheme = asciiBytes("https://")
    private static let httpScheme = asciiBytes("http://")
    /// Bytes that end a sentence rather than a URL written in running text.
    private static let sentencePunctuation: Set<UInt8> = [
        Byte.period, Byte.comma, Byte.semicolon, Byte.colon, Byte.exclamationMark, Byte.questionMark, Byte.closingParenthesis,
    ]

    /// The URL that starts at `index`, if one does.
    ///
    /// A URL runs until whitespace, a control character, a non-ASCII byte, `"`, `<` or
    /// `>` (and `'` when the URL was opened by `'`). Outside quotes and angle brackets,
    /// trailing sentence punctuation is not part of the URL.
    static func url(in bytes: [UInt8], at index: Int, within range: Range<Int>, format: BodyFormat) -> ScannedURL? {
        guard index < range.upperBound, Byte.lowercased(bytes[index]) == Byte.lowercaseH else { return nil }
        let schemeLength: Int
        if bytes.matches(httpsScheme, at: index) {
            schemeLength = httpsScheme.count
        } else if bytes.matches(httpScheme, at: index) {
            schemeLength = httpScheme.count
        } else {
            return nil
        }
        guard index + schemeLength < range.upperBound else { return nil }
        let opener: UInt8? = index > 0 ? bytes[index - 1] : nil
        if let opener, Byte.isASCIILetter(opener) || Byte.isDigit(opener) { return nil }
        var end = index + schemeLength
        while end < range.upperBound {
            let byte = bytes[end]
            if byte <= Byte.space || byte == Byte.delete || byte >= 0x80
                || byte == Byte.quote || byte == Byte.lessThan || byte == Byte.greaterThan
                || (byte == Byte.apostrophe && opener == Byte.apostrophe)
                || (format == .html && byte == Byte.ampersand && endsURL(referenceAt: end, in: bytes)) {
                break
            }
            end += 1
        }
        // In HTML, text written `&lt;https://...&gt;` delimits its URL like `<...>` does.
        let escapedOpener = format == .html && index >= 4 && bytes.matches(escapedLessThan, at: index - 4)
        let delimited = opener == Byte.quote || opener == Byte.apostrophe || opener == Byte.lessThan || escapedOpener
        if !delimited {
            while end > index + schemeLength, sentencePunctuation.contains(bytes[end - 1]) { end -= 1 }
        }
        guard end > index + schemeLength else { return nil }
        var text = Array(bytes[index..<end])
        if format == .html { text = HTMLText.decodingReferences(text) }
        return ScannedURL(range: index..<end, text: text)
    }

    private static let escapedLessThan = asciiBytes("&lt;")

    /// Whether the character reference at `index` stands for a byte that cannot be part
    /// of a URL (`&lt;`, `&gt;`, `&quot;`, `&nbsp;`, an escaped space...), so ends one.
    private static func endsURL(referenceAt index: Int, in bytes: [UInt8]) -> Bool {
        guard let reference = HTMLText.characterReference(in: bytes, at: index) else { return false }
        let decoded = reference.decoded
        if decoded == Byte.noBreakSpace { return true }
        guard decoded.count == 1 else { return true }
        let byte = decoded[0]
        return byte <= Byte.space || byte == Byte.quote || byte == Byte.lessThan || byte == Byte.greaterThan
    }

    /// Every URL in `range`, in order.
    static func urls(in bytes: [UInt8], within range: Range<Int>, format: BodyFormat) -> [ScannedURL] {
        var result: [ScannedURL] = []
        var index = range.lowerBound
        while index < range.upperBound {
            if let url = url(in: bytes, at: index, within: range, format: format) {
                result.append(url)
                index = url.range.upperBound
            } else {
                index += 1
            }
        }
        return result
    }
}

/// The parts of an absolute URL that decide what it links to.
struct URLParts {
    /// The scheme, lower-cased (`https`).
    var scheme: [UInt8]
    /// The host, lower-cased, without user info or port.
    var host: [UInt8]
    /// The path's non-empty segments, as written.
    var pathSegments: [[UInt8]]
    /// The path as written, starting with `/` (empty when the URL has none).
    var path: [UInt8]
    /// The query without its `?`, or `nil` when there is none.
    var query: [UInt8]?
    /// The fragment without its `#`, or `nil` when there is none.
    var fragment: [UInt8]?

    /// Splits `url`; `nil` when it is not `scheme://host...`.
    init?(_ url: [UInt8]) {
        guard let colon = url.firstIndex(of: Byte.colon),
              url.count > colon + 2, url[colon + 1] == Byte.slash, url[colon + 2] == Byte.slash else { return nil }
        scheme = url[..<colon].map(Byte.lowercased)
        let authorityStart = colon + 3
        var authorityEnd = authorityStart
        while authorityEnd < url.count, ![Byte.slash, Byte.questionMark, Byte.hash].contains(url[authorityEnd]) {
            authorityEnd += 1
        }
        var authority = url[authorityStart..<authorityEnd]
        if let at = authority.lastIndex(of: Byte.at) { authority = authority[(at + 1)...] }
        if let portColon = authority.firstIndex(of: Byte.colon) { authority = authority[..<portColon] }
        host = authority.map(Byte.lowercased)
        guard !host.isEmpty else { return nil }
        var pathEnd = authorityEnd
        while pathEnd < url.count, url[pathEnd] != Byte.questionMark, url[pathEnd] != Byte.hash { pathEnd += 1 }
        path = Array(url[authorityEnd..<pathEnd])
        pathSegments = path.split(separator: Byte.slash, omittingEmptySubsequences: true).map(Array.init)
        var queryEnd = pathEnd
        if pathEnd < url.count, url[pathEnd] == Byte.questionMark {
            queryEnd = url[pathEnd...].firstIndex(of: Byte.hash) ?? url.count
            query = Array(url[(pathEnd + 1)..<queryEnd])
        } else {
            query = nil
        }
        fragment = queryEnd < url.count ? Array(url[(queryEnd + 1)...]) : nil
    }

    /// Whether the host is `domain` or one of its subdomains.
    func hostIs(_ domain: [UInt8], orSubdomain: Bool = false) -> Bool {
        if host == domain { return true }
        guard orSubdomain, host.count > domain.count else { return false }
        return host[(host.count - domain.count - 1)...].elementsEqual([Byte.period] + domain)
    }
}
