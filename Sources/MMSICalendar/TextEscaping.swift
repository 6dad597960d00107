/// Escaping for TEXT values (RFC 5545 §3.3.11), as used by `SUMMARY`, `DESCRIPTION`, `LOCATION`…
public enum TextEscaping {
    /// Escapes text for a TEXT value: `\` → `\\`, `;` → `\;`, `,` → `\,`, and
    /// every line break (CRLF, CR or LF) → `\n`.
    /// - Parameter text: The plain text.
    /// - Returns: The escaped value.
    public static func escape(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\\": result.append(contentsOf: "\\\\".unicodeScalars)
            case ";": result.append(contentsOf: "\\;".unicodeScalars)
            case ",": result.append(contentsOf: "\\,".unicodeScalars)
            case "\r": result.append(contentsOf: "\\n".unicodeScalars)
            case "\n": if !previousWasCR { result.append(contentsOf: "\\n".unicodeScalars) }
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    /// Unescapes a TEXT value: `\\`, `\;`, `\,`, `\n` and `\N`.
    ///
    /// Other escapes (not allowed by RFC 5545, but produced by some clients,
    /// such as `\:`) yield the escaped character; a trailing lone `\` is kept.
    /// - Parameter value: The raw value.
    /// - Returns: The plain text.
    public static func unescape(_ value: String) -> String {
        guard value.unicodeScalars.contains("\\") else { return value }
        var result = String.UnicodeScalarView()
        var iterator = value.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "\\" else {
                result.append(scalar)
                continue
            }
            guard let escaped = iterator.next() else {
                result.append("\\")
                break
            }
            switch escaped {
            case "n", "N": result.append("\n")
            default: result.append(escaped)
            }
        }
        return String(result)
    }

    /// Splits a multi-valued TEXT value (such as `CATEGORIES`) on unescaped commas and unescapes each part.
    /// - Parameter value: The raw value.
    /// - Returns: The plain texts.
    public static func splitList(_ value: String) -> [String] {
        var parts: [String] = []
        var current = String.UnicodeScalarView()
        var iterator = value.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if scalar == "\\" {
                current.append(scalar)
                if let next = iterator.next() { current.append(next) }
            } else if scalar == "," {
                parts.append(unescape(String(current)))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        parts.append(unescape(String(current)))
        return parts
    }

    /// Joins plain texts into a multi-valued TEXT value, escaping each.
    /// - Parameter texts: The plain texts.
    /// - Returns: The raw value.
    public static func joinList(_ texts: [String]) -> String {
        texts.map(escape).joined(separator: ",")
    }
}
