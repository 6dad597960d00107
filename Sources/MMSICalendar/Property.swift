/// A property parameter such as `TZID=Europe/Paris` or `MEMBER="mailto:a@x","mailto:b@x"`.
///
/// Values are stored without their surrounding double quotes. RFC 6868 caret
/// encoding (`^n`, `^'`, `^^`) is not decoded.
public struct Parameter: Hashable, Sendable {
    /// The parameter name as written (compare case-insensitively).
    public var name: String
    /// The parameter's values, in order; most parameters have exactly one.
    public var values: [String]

    /// Creates a parameter with several values.
    /// - Parameters:
    ///   - name: The parameter name, for example `MEMBER`.
    ///   - values: The values, without surrounding quotes.
    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    /// Creates a parameter with a single value.
    /// - Parameters:
    ///   - name: The parameter name, for example `TZID`.
    ///   - value: The value, without surrounding quotes.
    public init(name: String, value: String) {
        self.init(name: name, values: [value])
    }

    /// The first value, or the empty string when there is none.
    public var value: String { values.first ?? "" }
}

/// One iCalendar property (a content line) of a ``Component``.
///
/// A property parsed from input remembers its original physical lines, byte
/// for byte, and serializes them unchanged as long as its name, parameters
/// and value are left alone. Changing any of them makes the property
/// re-serialize itself (folded at 75 octets, with the resource's line
/// ending); when only the value changed, the original name-and-parameters
/// text is reused as written.
///
/// `value` is the raw value text as it appears after the `:` (for TEXT values
/// still escaped; see ``textValue``). It must not contain line breaks: any CR
/// or LF in a re-serialized value is written as the two characters `\n`.
public struct Property: Hashable, Sendable {
    /// The property name as written, for example `DTSTART` (compare case-insensitively).
    public var name: String {
        didSet { if oldValue != name { invalidateAll() } }
    }
    /// The parameters, in their original order.
    public var parameters: [Parameter] {
        didSet { if oldValue != parameters { invalidateAll() } }
    }
    /// The raw value text after the `:`, still escaped for TEXT values.
    public var value: String {
        didSet { if oldValue != value { originalLines = nil } }
    }

    /// The exact bytes of the original physical lines (with line endings), if unmodified.
    public internal(set) var originalLines: [UInt8]?
    /// The original unfolded text before the `:` (name and parameters), if name and parameters are unmodified.
    var originalPrefix: [UInt8]?
    /// The 1-based number of the first physical line in the parsed input, if parsed.
    public internal(set) var lineNumber: Int?

    /// Creates a new property; it has no original lines and will be serialized from its fields.
    /// - Parameters:
    ///   - name: The property name, for example `SUMMARY`.
    ///   - parameters: The parameters, in order.
    ///   - value: The raw value text (escape TEXT values with ``TextEscaping/escape(_:)``).
    public init(name: String, parameters: [Parameter] = [], value: String) {
        self.name = name
        self.parameters = parameters
        self.value = value
    }

    /// Whether the property will be written back exactly as it was read.
    public var isUnmodified: Bool { originalLines != nil }

    private mutating func invalidateAll() {
        originalLines = nil
        originalPrefix = nil
    }

    /// Whether the property has the given name, compared case-insensitively.
    /// - Parameter otherName: The name to compare with.
    public func hasName(_ otherName: String) -> Bool {
        name.caseInsensitiveEquals(otherName)
    }

    // MARK: Parameters

    /// The first parameter with the given name (case-insensitive), if any.
    /// - Parameter parameterName: A parameter name such as `tzid`.
    public func parameter(named parameterName: String) -> Parameter? {
        parameters.first { $0.name.caseInsensitiveEquals(parameterName) }
    }

    /// The first value of the first parameter with the given name (case-insensitive), if any.
    /// - Parameter parameterName: A parameter name such as `CN`.
    public func parameterValue(named parameterName: String) -> String? {
        parameter(named: parameterName)?.values.first
    }

    /// Sets a parameter, replacing the values of an existing one (first match) or appending it.
    /// - Parameters:
    ///   - parameterName: The parameter name.
    ///   - values: The new values, without quotes.
    public mutating func setParameter(_ parameterName: String, values: [String]) {
        if let index = parameters.firstIndex(where: { $0.name.caseInsensitiveEquals(parameterName) }) {
            parameters[index].values = values
        } else {
            parameters.append(Parameter(name: parameterName, values: values))
        }
    }

    /// Removes every parameter with the given name (case-insensitive).
    /// - Parameter parameterName: The parameter name.
    public mutating func removeParameter(named parameterName: String) {
        parameters.removeAll { $0.name.caseInsensitiveEquals(parameterName) }
    }

    // MARK: Typed values

    /// The value interpreted as TEXT: unescaped (`\\`, `\;`, `\,`, `\n`, `\N`).
    ///
    /// Setting it escapes the new text and stores it as the raw ``value``.
    public var textValue: String {
        get { TextEscaping.unescape(value) }
        set { value = TextEscaping.escape(newValue) }
    }

    /// For a CAL-ADDRESS value such as `mailto:Jane@Example.com`, the address
    /// without its `mailto:` scheme (matched case-insensitively); `nil` for
    /// other URI schemes.
    public var mailtoAddress: String? {
        CalendarAddress.emailAddress(fromCalendarAddress: value)
    }

    // MARK: Serialization

    /// The unfolded content line as it would be written now (without a line ending).
    public var contentLine: String {
        String(decoding: contentLineBytes(), as: UTF8.self)
    }

    func contentLineBytes() -> [UInt8] {
        var bytes = originalPrefix ?? generatedPrefix()
        bytes.append(UInt8(ascii: ":"))
        appendSanitized(value, to: &bytes)
        return bytes
    }

    private func generatedPrefix() -> [UInt8] {
        var bytes: [UInt8] = []
        appendSanitized(name, to: &bytes)
        for parameter in parameters {
            bytes.append(UInt8(ascii: ";"))
            appendSanitized(parameter.name, to: &bytes)
            bytes.append(UInt8(ascii: "="))
            for (index, parameterValue) in parameter.values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                // DQUOTE cannot appear in a parameter value (RFC 5545 §3.1); use an apostrophe.
                let cleaned = parameterValue.replacingAll("\"", with: "'")
                let needsQuotes = cleaned.utf8.contains { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: ",") }
                if needsQuotes { bytes.append(UInt8(ascii: "\"")) }
                appendSanitized(cleaned, to: &bytes)
                if needsQuotes { bytes.append(UInt8(ascii: "\"")) }
            }
        }
        return bytes
    }

    func serialize(into output: inout [UInt8], lineEnding: LineEnding) {
        if let originalLines {
            output.append(contentsOf: originalLines)
        } else {
            Folding.appendFolded(contentLineBytes(), lineEnding: lineEnding, to: &output)
        }
    }
}

/// Appends text, writing each line break (CRLF, CR or LF) as the escape `\n`
/// so that a regenerated value can never break the line structure.
private func appendSanitized(_ text: String, to bytes: inout [UInt8]) {
    var previousWasCR = false
    for byte in text.utf8 {
        switch byte {
        case 0x0D:
            bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            previousWasCR = true
            continue
        case 0x0A:
            if !previousWasCR { bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")]) }
        default:
            bytes.append(byte)
        }
        previousWasCR = false
    }
}

/// Helpers for CAL-ADDRESS values (RFC 5545 §3.3.3), which are usually `mailto:` URIs.
public enum CalendarAddress {
    /// The e-mail address of a `mailto:` calendar address, or `nil` for another scheme.
    ///
    /// The scheme is matched case-insensitively and surrounding whitespace is ignored;
    /// the address itself is returned as written.
    /// - Parameter value: A CAL-ADDRESS value such as `mailto:jane@example.com`.
    public static func emailAddress(fromCalendarAddress value: String) -> String? {
        let trimmed = value.trimmingSpaces()
        guard trimmed.utf8.count >= 7,
              String(trimmed.prefix(7)).caseInsensitiveEquals("mailto:") else { return nil }
        let address = String(trimmed.dropFirst(7))
        return address.isEmpty ? nil : address
    }

    /// A `mailto:` calendar address for an e-mail address.
    /// - Parameter emailAddress: An address such as `jane@example.com`.
    public static func calendarAddress(forEmailAddress emailAddress: String) -> String {
        "mailto:" + emailAddress
    }
}

extension String {
    /// ASCII-case-insensitive equality, as iCalendar names require.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let lhs = self.utf8, rhs = other.utf8
        guard lhs.count == rhs.count else { return false }
        for (a, b) in zip(lhs, rhs) where a != b {
            if asciiLowercased(a) != asciiLowercased(b) { return false }
        }
        return true
    }

    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.unicodeScalars.first, first == " " || first == "\t" || first == "\r" || first == "\n" {
            scalars = Substring(scalars.unicodeScalars.dropFirst())
        }
        while let last = scalars.unicodeScalars.last, last == " " || last == "\t" || last == "\r" || last == "\n" {
            scalars = Substring(scalars.unicodeScalars.dropLast())
        }
        return String(scalars)
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }

    var asciiUppercased: String {
        String(decoding: utf8.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self)
    }
}

@inline(__always)
func asciiLowercased(_ byte: UInt8) -> UInt8 {
    (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
}
