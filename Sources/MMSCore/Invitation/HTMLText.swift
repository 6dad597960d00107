/// HTML character references and the text a reader sees, at the byte level.
enum HTMLText {
    /// A character reference at `index` (`&amp;`, `&#38;`, `&#x26;`...), decoded.
    ///
    /// Only the references that matter in join URLs and block wording are known by name
    /// (`amp`, `lt`, `gt`, `quot`, `apos`, `nbsp`); numeric references are decoded in full.
    /// - Returns: The UTF-8 bytes of the character and the reference's length, or `nil`
    ///   when `index` does not start a reference this function knows.
    static func characterReference(in bytes: [UInt8], at index: Int) -> (decoded: [UInt8], length: Int)? {
        guard index < bytes.count, bytes[index] == Byte.ampersand else { return nil }
        let limit = Swift.min(bytes.count, index + 12)
        guard let end = bytes.firstIndex(of: Byte.semicolon, in: (index + 1)..<limit) else { return nil }
        let name = Array(bytes[(index + 1)..<end])
        let length = end + 1 - index
        if name.first == Byte.hash {
            var digits = name.dropFirst()
            var radix: UInt32 = 10
            if let marker = digits.first, Byte.lowercased(marker) == Byte.lowercaseX {
                radix = 16
                digits = digits.dropFirst()
            }
            guard !digits.isEmpty, digits.count <= 8 else { return nil }
            var value: UInt32 = 0
            for digit in digits {
                guard radix == 16 ? Byte.isHexDigit(digit) : Byte.isDigit(digit) else { return nil }
                let lower = Byte.lowercased(digit)
                let digitValue = Byte.isDigit(lower) ? UInt32(lower - 0x30) : UInt32(lower - 0x61 + 10)
                value = value * radix + digitValue
            }
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return (Array(String(Character(scalar)).utf8), length)
        }
        switch String(decoding: name, as: UTF8.self) {
        case "amp": return ([Byte.ampersand], length)
        case "lt": return ([Byte.lessThan], length)
        case "gt": return ([Byte.greaterThan], length)
        case "quot": return ([Byte.quote], length)
        case "apos": return ([Byte.apostrophe], length)
        case "nbsp": return (Byte.noBreakSpace, length)
        default: return nil
        }
    }

    /// `bytes` with every known character reference decoded.
    static func decodingReferences(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(Byte.ampersand) else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == Byte.ampersand, let reference = characterReference(in: bytes, at: index) {
                result += reference.decoded
                index += reference.length
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    /// The text a reader sees in `range`, reduced for matching wording.
    ///
    /// Tags are dropped (HTML only), references decoded (HTML only), URLs dropped (so a
    /// phrase inside a link address does not count as wording), ASCII letters lowered,
    /// and runs of whitespace (including no-break spaces) folded into one space.
    static func visibleWording(of bytes: [UInt8], in range: Range<Int>, format: BodyFormat) -> [UInt8] {
        var result: [UInt8] = [Byte.space]
        result.reserveCapacity(range.count)
        func appendSpace() {
            if result.last != Byte.space { result.append(Byte.space) }
        }
        func append(_ decoded: [UInt8]) {
            if decoded == Byte.noBreakSpace || (decoded.count == 1 && Byte.isSpace(decoded[0])) {
                appendSpace()
            } else {
                result += decoded.map(Byte.lowercased)
            }
        }
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if format == .html, byte == Byte.lessThan {
                let close = bytes.firstIndex(of: Byte.greaterThan, in: index..<range.upperBound) ?? (range.upperBound - 1)
                appendSpace()
                index = close + 1
            } else if format == .html, byte == Byte.ampersand, let reference = characterReference(in: bytes, at: index) {
                append(reference.decoded)
                index += reference.length
            } else if let url = LinkScanner.url(in: bytes, at: index, within: range, format: format) {
                appendSpace()
                index = url.range.upperBound
            } else if index + 1 < range.upperBound, bytes[index..<(index + 2)].elementsEqual(Byte.noBreakSpace) {
                appendSpace()
                index += 2
            } else if Byte.isSpace(byte) {
                appendSpace()
                index += 1
            } else {
                result.append(Byte.lowercased(byte))
                index += 1
            }
        }
        appendSpace()
        return result
    }
}
