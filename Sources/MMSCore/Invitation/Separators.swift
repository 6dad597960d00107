/// The lines that frame an online-meeting block.
///
/// Teams frames its block with lines of about 80 underscores, Skype for Business and
/// Lync with lines of about 130 periods. A separator is a run of one of those bytes,
/// within a length range, that stands alone: in plain text alone on its line (spaces,
/// tabs and no-break spaces aside), in HTML alone in its element or line.
struct SeparatorStyle: Sendable {
    /// The repeated byte.
    var byte: UInt8
    /// How long a run must be to count as a frame line.
    ///
    /// The lower bound stays above the 32-underscore rule that newer Teams layouts draw
    /// inside the block, so that rule is not mistaken for the frame.
    var lengths: ClosedRange<Int>

    /// Teams: a line of underscores.
    static let underscores = SeparatorStyle(byte: Byte.underscore, lengths: 40...240)
    /// Skype for Business and Lync: a line of periods.
    static let periods = SeparatorStyle(byte: Byte.period, lengths: 40...400)
}

/// One frame line found in a body.
struct SeparatorLine: Equatable {
    /// The run of underscores or periods.
    var run: Range<Int>
    /// The whole line as it belongs to a block: in plain text the line without its line
    /// break; in HTML the run with the elements that hold only it (`<div><span>___</span></div>`).
    var extent: Range<Int>
}

enum Separators {
    private static let voidElements: Set<[UInt8]> = Set([
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    ].map { Array($0.utf8) })

    /// Every separator line of `style` in `bytes`, in order.
    static func lines(in bytes: [UInt8], style: SeparatorStyle, format: BodyFormat) -> [SeparatorLine] {
        var result: [SeparatorLine] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == style.byte else {
                index += 1
                continue
            }
            var end = index
            while end < bytes.count, bytes[end] == style.byte { end += 1 }
            let run = index..<end
            index = end
            guard style.lengths.contains(run.count),
                  let before = blankStart(before: run.lowerBound, in: bytes, format: format),
                  let after = blankEnd(after: run.upperBound, in: bytes, format: format) else { continue }
            switch format {
            case .plainText:
                result.append(SeparatorLine(run: run, extent: lineExtent(before: before, after: after, in: bytes)))
            case .html:
                result.append(SeparatorLine(run: run, extent: elementExtent(of: run, blank: before..<after, in: bytes)))
            }
        }
        return result
    }

    /// Walks back from `index` over spaces, no-break spaces and invisible format characters;
    /// the offset reached, if it
    /// is the start of the body, of a line, or (in HTML) just after a tag. Else `nil`.
    private static func blankStart(before index: Int, in bytes: [UInt8], format: BodyFormat) -> Int? {
        var position = index
        while position > 0 {
            let byte = bytes[position - 1]
            if Byte.isHorizontalSpace(byte) {
                position -= 1
            } else if let length = invisibleLength(endingAt: position, in: bytes) {
                position -= length
            } else if format == .html, byte == Byte.semicolon, let start = referenceStart(endingAt: position, in: bytes) {
                position = start
            } else {
                break
            }
        }
        if position == 0 { return position }
        let byte = bytes[position - 1]
        if byte == Byte.newline || (format == .html && byte == Byte.greaterThan) { return position }
        return nil
    }

    /// Walks forward from `index` like `blankStart(before:in:format:)`, up to the end of
    /// the body, a line break, or (in HTML) a tag.
    private static func blankEnd(after index: Int, in bytes: [UInt8], format: BodyFormat) -> Int? {
        var position = index
        while position < bytes.count {
            let byte = bytes[position]
            if Byte.isHorizontalSpace(byte) {
                position += 1
            } else if let length = invisibleLength(at: position, in: bytes) {
                position += length
            } else if format == .html, byte == Byte.ampersand, let reference = HTMLText.characterReference(in: bytes, at: position),
                      reference.decoded == Byte.noBreakSpace {
                position += reference.length
            } else {
                break
            }
        }
        if position == bytes.count { return position }
        let byte = bytes[position]
        if byte == Byte.newline || (format == .html && byte == Byte.lessThan) { return position }
        return nil
    }

    /// The start of a no-break-space reference (`&nbsp;`, `&#160;`, `&#xa0;`) that ends just before `end`.
    private static func referenceStart(endingAt end: Int, in bytes: [UInt8]) -> Int? {
        for length in [6, 7] where end - length >= 0 && bytes[end - length] == Byte.ampersand {
            if let reference = HTMLText.characterReference(in: bytes, at: end - length),
               reference.length == length, reference.decoded == Byte.noBreakSpace {
                return end - length
            }
        }
        return nil
    }

    /// The characters besides ASCII whitespace that may pad a frame line: the no-break
    /// space, the byte order mark, zero-width spaces and joiners, and the left-to-right
    /// and right-to-left marks an editor may put at a line's start.
    private static let invisibleCharacters: [[UInt8]] = [
        "\u{00A0}", "\u{FEFF}", "\u{200B}", "\u{200C}", "\u{200D}", "\u{200E}", "\u{200F}", "\u{2060}",
    ].map { Array($0.utf8) }

    /// The length of the invisible character starting at `index`, if one does.
    private static func invisibleLength(at index: Int, in bytes: [UInt8]) -> Int? {
        invisibleCharacters.first { index + $0.count <= bytes.count && bytes[index..<(index + $0.count)].elementsEqual($0) }?.count
    }

    /// The length of the invisible character ending just before `end`, if one does.
    private static func invisibleLength(endingAt end: Int, in bytes: [UInt8]) -> Int? {
        invisibleCharacters.first { end - $0.count >= 0 && bytes[(end - $0.count)..<end].elementsEqual($0) }?.count
    }

    /// A plain-text separator's line: from the line start to the end of its content,
    /// leaving the line break (LF or CRLF) outside, and leaving outside the invisible
    /// characters that open the line (a byte order mark at the start of the body, a
    /// direction mark), since they belong to the text rather than to the frame.
    private static func lineExtent(before: Int, after: Int, in bytes: [UInt8]) -> Range<Int> {
        var before = before
        while before < after, let length = invisibleLength(at: before, in: bytes) { before += length }
        var end = after
        while end > before, bytes[end - 1] == Byte.carriageReturn { end -= 1 }
        return before..<end
    }

    /// An HTML separator with the elements that hold nothing but it.
    ///
    /// The opening tags right before the run are counted back, the closing tags right
    /// after it forward (skipping empty elements such as Word's `<o:p></o:p>`); as many
    /// as pair up are included, so the extent is balanced and never takes in an element
    /// that also holds the user's text.
    /// - Parameter blank: The run with the spaces and no-break spaces around it.
    private static func elementExtent(of run: Range<Int>, blank: Range<Int>, in bytes: [UInt8]) -> Range<Int> {
        var openingTags: [Int] = []
        var position = blank.lowerBound
        while true {
            while position > 0, Byte.isSpace(bytes[position - 1]) { position -= 1 }
            guard position > 0, bytes[position - 1] == Byte.greaterThan,
                  let tagStart = lastIndex(of: Byte.lessThan, before: position - 1, in: bytes),
                  tagKind(bytes[tagStart..<position]) == .opening else { break }
            openingTags.append(tagStart)
            position = tagStart
        }
        var closingTagEnds: [Int] = []
        var nested = 0
        position = blank.upperBound
        while closingTagEnds.count < openingTags.count {
            while position < bytes.count, Byte.isSpace(bytes[position]) { position += 1 }
            guard position < bytes.count, bytes[position] == Byte.lessThan,
                  let tagEnd = bytes.firstIndex(of: Byte.greaterThan, in: position..<bytes.count) else { break }
            switch tagKind(bytes[position...tagEnd]) {
            case .opening: nested += 1
            case .closing:
                if nested > 0 { nested -= 1 } else { closingTagEnds.append(tagEnd + 1) }
            case .other: break
            }
            position = tagEnd + 1
        }
        let paired = closingTagEnds.count
        guard paired > 0 else { return run }
        return openingTags[paired - 1]..<closingTagEnds[paired - 1]
    }

    private enum TagKind { case opening, closing, other }

    /// Whether `tag` (from `<` to `>`) opens an element that needs closing, closes one, or neither
    /// (void and self-closing elements, comments, declarations).
    private static func tagKind(_ tag: ArraySlice<UInt8>) -> TagKind {
        let start = tag.startIndex
        guard tag.count >= 3 else { return .other }
        let first = tag[start + 1]
        if first == Byte.slash { return .closing }
        guard Byte.isASCIILetter(first) else { return .other }
        if tag[tag.endIndex - 2] == Byte.slash { return .other }
        var nameEnd = start + 1
        while nameEnd < tag.endIndex - 1, !Byte.isSpace(tag[nameEnd]), tag[nameEnd] != Byte.slash { nameEnd += 1 }
        let name = tag[(start + 1)..<nameEnd].map(Byte.lowercased)
        return voidElements.contains(name) ? .other : .opening
    }

    private static func lastIndex(of byte: UInt8, before index: Int, in bytes: [UInt8]) -> Int? {
        var position = index - 1
        while position >= 0 {
            if bytes[position] == byte { return position }
            position -= 1
        }
        return nil
    }
}
