/// Line folding and unfolding (RFC 5545 §3.1).
///
/// Folded lines are at most 75 octets, excluding the line ending; each
/// continuation line starts with a single space. A fold never splits a
/// UTF-8 encoded character (it may fall between a base character and a
/// combining mark, which unfolding joins again).
public enum Folding {
    /// The longest physical line RFC 5545 allows, in octets, excluding the line ending.
    public static let maximumLineOctets = 75

    /// Folds one unfolded content line.
    /// - Parameters:
    ///   - contentLine: The unfolded line, without a line ending.
    ///   - lineEnding: The line ending to put after every physical line.
    /// - Returns: The folded lines, each followed by `lineEnding`.
    public static func fold(_ contentLine: String, lineEnding: LineEnding = .crlf) -> String {
        var output: [UInt8] = []
        appendFolded(Array(contentLine.utf8), lineEnding: lineEnding, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Unfolds text: removes every line ending (CRLF or LF) that is followed by a space or tab,
    /// together with that one whitespace character.
    /// - Parameter text: Folded text.
    /// - Returns: The unfolded text.
    public static func unfold(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D, index + 2 < bytes.count, bytes[index + 1] == 0x0A, bytes[index + 2] == 0x20 || bytes[index + 2] == 0x09 {
                index += 3
                continue
            }
            if byte == 0x0A, index + 1 < bytes.count, bytes[index + 1] == 0x20 || bytes[index + 1] == 0x09 {
                index += 2
                continue
            }
            output.append(byte)
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func appendFolded(_ line: [UInt8], lineEnding: LineEnding, to output: inout [UInt8]) {
        var start = 0
        var isFirst = true
        repeat {
            let budget = isFirst ? maximumLineOctets : maximumLineOctets - 1
            var end = min(start + budget, line.count)
            if end < line.count {
                // Back off to the first byte of a UTF-8 sequence (never 10xxxxxx).
                var candidate = end
                while candidate > start, line[candidate] & 0xC0 == 0x80 { candidate -= 1 }
                if candidate > start { end = candidate } // else: not UTF-8; split bytes anyway.
            }
            if !isFirst { output.append(0x20) }
            output.append(contentsOf: line[start..<end])
            output.append(contentsOf: lineEnding.bytes)
            start = end
            isFirst = false
        } while start < line.count
    }
}
