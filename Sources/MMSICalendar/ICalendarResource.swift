import Foundation

/// The line ending a resource uses: RFC 5545 requires CRLF, but LF-only files are common.
public enum LineEnding: Hashable, Sendable {
    /// Carriage return + line feed (`\r\n`), the RFC 5545 line ending.
    case crlf
    /// A bare line feed (`\n`).
    case lf

    /// The bytes of the line ending.
    public var bytes: [UInt8] {
        switch self {
        case .crlf: [0x0D, 0x0A]
        case .lf: [0x0A]
        }
    }
}

/// A parsed iCalendar resource (an `.ics` file or a CalDAV calendar object).
///
/// Parsing keeps every byte: serializing an unmodified resource with
/// ``serializedBytes()`` returns the input exactly. Edits re-serialize only
/// the properties or components they touch; new or changed lines use
/// ``lineEnding``.
public struct ICalendarResource: Hashable, Sendable {
    /// Limits that keep hostile input from exhausting memory or the stack.
    public struct ParsingLimits: Hashable, Sendable {
        /// The deepest allowed component nesting (`VCALENDAR` › `VEVENT` › `VALARM` is 3).
        public var maximumNestingDepth: Int
        /// The most physical lines the input may have.
        public var maximumLineCount: Int
        /// The longest allowed unfolded content line, in bytes.
        public var maximumContentLineLength: Int

        /// Creates limits.
        /// - Parameters:
        ///   - maximumNestingDepth: The deepest allowed component nesting.
        ///   - maximumLineCount: The most physical lines allowed.
        ///   - maximumContentLineLength: The longest unfolded content line allowed, in bytes.
        public init(maximumNestingDepth: Int, maximumLineCount: Int, maximumContentLineLength: Int) {
            self.maximumNestingDepth = maximumNestingDepth
            self.maximumLineCount = maximumLineCount
            self.maximumContentLineLength = maximumContentLineLength
        }

        /// Nesting depth 32, one million lines, 16 MiB per content line (room for inline attachments).
        public static var defaults: ParsingLimits {
            ParsingLimits(maximumNestingDepth: 32, maximumLineCount: 1_000_000, maximumContentLineLength: 16 << 20)
        }
    }

    /// The top-level items (normally a single `VCALENDAR`) and any blank lines between them.
    var nodes: [Component.Node]
    /// The line ending of the input's first line (CRLF when the input has none); used for new lines.
    public var lineEnding: LineEnding

    /// Creates an empty resource.
    /// - Parameter lineEnding: The line ending for generated lines.
    public init(lineEnding: LineEnding = .crlf) {
        self.nodes = []
        self.lineEnding = lineEnding
    }

    /// Parses a resource from its bytes (UTF-8 expected; other bytes are kept verbatim).
    /// - Parameters:
    ///   - bytes: The raw resource.
    ///   - limits: Limits on nesting, line count and line length.
    /// - Throws: ``ICalendarError`` naming the offending line when the input is malformed.
    public init(parsing bytes: [UInt8], limits: ParsingLimits = .defaults) throws(ICalendarError) {
        self = try ICalendarParser.parse(bytes, limits: limits)
    }

    /// Parses a resource from its bytes.
    /// - Parameters:
    ///   - data: The raw resource.
    ///   - limits: Limits on nesting, line count and line length.
    /// - Throws: ``ICalendarError`` naming the offending line when the input is malformed.
    public init(parsing data: Data, limits: ParsingLimits = .defaults) throws(ICalendarError) {
        try self.init(parsing: [UInt8](data), limits: limits)
    }

    /// Parses a resource from a string (its UTF-8 bytes).
    /// - Parameters:
    ///   - text: The resource text.
    ///   - limits: Limits on nesting, line count and line length.
    /// - Throws: ``ICalendarError`` naming the offending line when the input is malformed.
    public init(parsing text: String, limits: ParsingLimits = .defaults) throws(ICalendarError) {
        try self.init(parsing: Array(text.utf8), limits: limits)
    }

    /// The top-level components, normally a single `VCALENDAR`.
    public var components: [Component] {
        nodes.compactMap { if case .component(let component) = $0 { component } else { nil } }
    }

    /// Every component with the given name at any depth, depth first, in document order.
    /// - Parameter componentName: A component name such as `VEVENT` (case-insensitive).
    public func allComponents(named componentName: String) -> [Component] {
        var result: [Component] = []
        for component in components {
            if component.hasName(componentName) { result.append(component) }
            result.append(contentsOf: component.allComponents(named: componentName))
        }
        return result
    }

    /// Lets `body` edit, in place, every component with the given name at any depth.
    /// - Parameters:
    ///   - componentName: The component name (case-insensitive), for example `VEVENT`.
    ///   - body: Called once per matching component, before its descendants are visited.
    /// - Throws: Whatever `body` throws.
    public mutating func modifyComponents(named componentName: String, _ body: (inout Component) throws -> Void) rethrows {
        for index in nodes.indices {
            guard case .component(var component) = nodes[index] else { continue }
            if component.hasName(componentName) { try body(&component) }
            try component.modifyComponents(named: componentName, body)
            nodes[index] = .component(component)
        }
    }

    /// Appends a top-level component.
    /// - Parameter component: The component, normally a `VCALENDAR`.
    public mutating func addComponent(_ component: Component) {
        nodes.append(.component(component))
    }

    /// The resource as bytes; identical to the parsed input when nothing was modified.
    public func serializedBytes() -> [UInt8] {
        var output: [UInt8] = []
        Component.serialize(nodes, into: &output, lineEnding: lineEnding)
        return output
    }

    /// The resource as `Data`; identical to the parsed input when nothing was modified.
    public func serializedData() -> Data {
        Data(serializedBytes())
    }

    /// The resource as a string (invalid UTF-8 in the input is replaced by U+FFFD here;
    /// use ``serializedBytes()`` to keep every byte).
    public func serializedString() -> String {
        String(decoding: serializedBytes(), as: UTF8.self)
    }
}
