/// A JSON document with its keys in a fixed order, so scripts and diffs see stable output.
///
/// Foundation's encoders either reorder keys alphabetically or leave the order unspecified;
/// `mms` prints keys in the order of the proto fields instead, which is what a reader of the
/// `.proto` files expects.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number, already written as JSON text.
    case number(String)
    case string(String)
    case array([JSONValue])
    case fields([(String, JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.rendered(pretty: false) == rhs.rendered(pretty: false)
    }

    /// An object whose keys keep the order they are written in.
    static func object(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .fields(pairs.map { ($0.key, $0.value) })
    }

    /// An integer of any width.
    static func integer(_ value: some BinaryInteger) -> JSONValue {
        .number(String(value))
    }

    /// The document as text: indented by two spaces when `pretty`, else on one line.
    func rendered(pretty: Bool) -> String {
        var text = ""
        self.write(into: &text, pretty: pretty, depth: 0)
        return text
    }

    private func write(into text: inout String, pretty: Bool, depth: Int) {
        switch self {
        case .null: text += "null"
        case .bool(let value): text += value ? "true" : "false"
        case .number(let value): text += value
        case .string(let value): Self.writeString(value, into: &text)
        case .array(let elements):
            guard !elements.isEmpty else { text += "[]"; return }
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                Self.newline(&text, pretty: pretty, depth: depth + 1)
                element.write(into: &text, pretty: pretty, depth: depth + 1)
            }
            Self.newline(&text, pretty: pretty, depth: depth)
            text += "]"
        case .fields(let pairs):
            guard !pairs.isEmpty else { text += "{}"; return }
            text += "{"
            for (index, (key, value)) in pairs.enumerated() {
                if index > 0 { text += "," }
                Self.newline(&text, pretty: pretty, depth: depth + 1)
                Self.writeString(key, into: &text)
                text += pretty ? ": " : ":"
                value.write(into: &text, pretty: pretty, depth: depth + 1)
            }
            Self.newline(&text, pretty: pretty, depth: depth)
            text += "}"
        }
    }

    private static func newline(_ text: inout String, pretty: Bool, depth: Int) {
        guard pretty else { return }
        text += "\n"
        text += String(repeating: "  ", count: depth)
    }

    /// Writes `value` as a JSON string. Every Unicode scalar outside the few JSON must escape
    /// goes out as itself, so a body read back through JSON is byte for byte what the server holds (M8).
    private static func writeString(_ value: String, into text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }
}
