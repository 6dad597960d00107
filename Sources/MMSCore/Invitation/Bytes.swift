/// Byte-level helpers for scanning invitation bodies.
///
/// Everything in the invitation code works on UTF-8 bytes rather than on `String`:
/// Swift compares strings by canonical equivalence, so NFC and NFD text would look
/// equal, and any round trip through characters risks changing bytes (M8). Every
/// byte this file looks for is ASCII, and in UTF-8 an ASCII byte never occurs inside
/// a multi-byte character, so a match is always a whole character.
enum Byte {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let hash: UInt8 = 0x23
    static let ampersand: UInt8 = 0x26
    static let apostrophe: UInt8 = 0x27
    static let percent: UInt8 = 0x25
    static let closingParenthesis: UInt8 = 0x29
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let slash: UInt8 = 0x2F
    static let period: UInt8 = 0x2E
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let lessThan: UInt8 = 0x3C
    static let greaterThan: UInt8 = 0x3E
    static let questionMark: UInt8 = 0x3F
    static let exclamationMark: UInt8 = 0x21
    static let underscore: UInt8 = 0x5F
    static let at: UInt8 = 0x40
    static let delete: UInt8 = 0x7F
    /// U+00A0 NO-BREAK SPACE in UTF-8.
    static let noBreakSpace: [UInt8] = [0xC2, 0xA0]
    static let lowercaseH: UInt8 = 0x68
    static let lowercaseX: UInt8 = 0x78

    /// The ASCII lower-case form of `byte`; other bytes unchanged.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }

    static func isASCIILetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte)
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    /// Whitespace that HTML collapses and that may pad a separator line: space, tab,
    /// form feed and carriage return (a CR before LF is part of a CRLF line ending).
    static func isHorizontalSpace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || byte == carriageReturn || byte == 0x0C
    }

    /// Whitespace including line feeds.
    static func isSpace(_ byte: UInt8) -> Bool {
        isHorizontalSpace(byte) || byte == newline
    }

    /// Whether `byte` continues a multi-byte UTF-8 sequence (so an offset there splits a character).
    static func isContinuation(_ byte: UInt8) -> Bool {
        byte & 0xC0 == 0x80
    }
}

extension Array where Element == UInt8 {
    /// Whether `pattern` occurs at `index`, comparing ASCII letters without case.
    /// - Parameter lowercasedPattern: The pattern, already in ASCII lower case.
    func matches(_ lowercasedPattern: [UInt8], at index: Int) -> Bool {
        guard index >= 0, index + lowercasedPattern.count <= count else { return false }
        for offset in 0..<lowercasedPattern.count where Byte.lowercased(self[index + offset]) != lowercasedPattern[offset] {
            return false
        }
        return true
    }

    /// The first index of `byte` in `range`, if any.
    func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        var index = range.lowerBound
        while index < range.upperBound {
            if self[index] == byte { return index }
            index += 1
        }
        return nil
    }

    /// The first index in `range` where `lowercasedPattern` starts, ignoring ASCII case.
    func firstIndex(ofCaseInsensitive lowercasedPattern: [UInt8], in range: Range<Int>) -> Int? {
        guard let first = lowercasedPattern.first else { return range.lowerBound }
        var index = range.lowerBound
        let last = range.upperBound - lowercasedPattern.count
        while index <= last {
            if Byte.lowercased(self[index]) == first, matches(lowercasedPattern, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// Whether the bytes contain `subsequence` exactly (case-sensitive).
    func contains(subsequence: [UInt8]) -> Bool {
        guard !subsequence.isEmpty else { return true }
        guard subsequence.count <= count else { return false }
        var index = 0
        while index + subsequence.count <= count {
            if self[index] == subsequence[0], self[index..<(index + subsequence.count)].elementsEqual(subsequence) {
                return true
            }
            index += 1
        }
        return false
    }
}

/// The bytes of an ASCII literal, for patterns.
func asciiBytes(_ text: StaticString) -> [UInt8] {
    text.withUTF8Buffer { Array($0) }
}
