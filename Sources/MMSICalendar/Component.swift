/// An iCalendar component (`VCALENDAR`, `VEVENT`, `VTIMEZONE`, `VALARM`, `X-…`)
/// with its properties and sub-components, in their original order.
///
/// A parsed component keeps its `BEGIN`/`END` lines and any blank lines
/// byte for byte. Edits go through the mutating methods below; properties and
/// sub-components that are not touched are written back unchanged.
public struct Component: Hashable, Sendable {
    /// One item inside a component, in document order.
    enum Node: Hashable, Sendable {
        case property(Property)
        case component(Component)
        /// Lines kept verbatim that carry no content (blank lines).
        case verbatim([UInt8])
    }

    /// The component name as written in its `BEGIN` line, for example `VEVENT`.
    public private(set) var name: String
    var nodes: [Node]
    var originalBeginLines: [UInt8]?
    var originalEndLines: [UInt8]?
    /// The 1-based number of the `BEGIN` line in the parsed input, if parsed.
    public internal(set) var lineNumber: Int?

    /// Creates a new component; its `BEGIN`/`END` lines will be generated.
    /// - Parameters:
    ///   - name: The component name, for example `VALARM`.
    ///   - properties: Its properties, in order.
    ///   - components: Its sub-components, written after the properties.
    public init(name: String, properties: [Property] = [], components: [Component] = []) {
        self.name = name
        self.nodes = properties.map(Node.property) + components.map(Node.component)
    }

    init(parsedName: String, beginLines: [UInt8], lineNumber: Int) {
        self.name = parsedName
        self.nodes = []
        self.originalBeginLines = beginLines
        self.lineNumber = lineNumber
    }

    /// Whether the component has the given name, compared case-insensitively.
    /// - Parameter otherName: The name to compare with.
    public func hasName(_ otherName: String) -> Bool {
        name.caseInsensitiveEquals(otherName)
    }

    // MARK: Reading

    /// The component's own properties, in order.
    public var properties: [Property] {
        nodes.compactMap { if case .property(let property) = $0 { property } else { nil } }
    }

    /// The component's direct sub-components, in order.
    public var components: [Component] {
        nodes.compactMap { if case .component(let component) = $0 { component } else { nil } }
    }

    /// The properties with the given name (case-insensitive), in order.
    /// - Parameter propertyName: A property name such as `ATTENDEE`.
    public func properties(named propertyName: String) -> [Property] {
        properties.filter { $0.hasName(propertyName) }
    }

    /// The first property with the given name (case-insensitive), if any.
    /// - Parameter propertyName: A property name such as `DTSTART`.
    public func property(named propertyName: String) -> Property? {
        for node in nodes {
            if case .property(let property) = node, property.hasName(propertyName) { return property }
        }
        return nil
    }

    /// Every descendant component (not this one) with the given name, depth first, in document order.
    /// - Parameter componentName: A component name such as `VEVENT`.
    public func allComponents(named componentName: String) -> [Component] {
        var result: [Component] = []
        for node in nodes {
            guard case .component(let child) = node else { continue }
            if child.hasName(componentName) { result.append(child) }
            result.append(contentsOf: child.allComponents(named: componentName))
        }
        return result
    }

    // MARK: Editing properties

    /// Sets the raw value of the first property with this name, or appends a new property.
    ///
    /// The existing property keeps its parameters. For TEXT values pass
    /// ``TextEscaping/escape(_:)`` of the text, or use ``setTextValue(_:forProperty:)``.
    /// - Parameters:
    ///   - value: The new raw value.
    ///   - propertyName: The property name (case-insensitive).
    public mutating func setValue(_ value: String, forProperty propertyName: String) {
        for index in nodes.indices {
            if case .property(var property) = nodes[index], property.hasName(propertyName) {
                property.value = value
                nodes[index] = .property(property)
                return
            }
        }
        addProperty(Property(name: propertyName, value: value))
    }

    /// Sets a TEXT property (escaping it) on the first property with this name, or appends one.
    /// - Parameters:
    ///   - text: The unescaped text, for example a multi-line description.
    ///   - propertyName: The property name (case-insensitive), for example `DESCRIPTION`.
    public mutating func setTextValue(_ text: String, forProperty propertyName: String) {
        setValue(TextEscaping.escape(text), forProperty: propertyName)
    }

    /// Adds a property after the component's last property (before sub-components if there are no properties).
    /// - Parameter property: The property to add.
    public mutating func addProperty(_ property: Property) {
        let lastPropertyIndex = nodes.lastIndex { if case .property = $0 { true } else { false } }
        let insertionIndex = lastPropertyIndex.map { $0 + 1 } ?? 0
        nodes.insert(.property(property), at: insertionIndex)
    }

    /// Removes every property with the given name (case-insensitive).
    /// - Parameter propertyName: The property name.
    /// - Returns: How many properties were removed.
    @discardableResult
    public mutating func removeProperties(named propertyName: String) -> Int {
        let before = nodes.count
        nodes.removeAll { if case .property(let property) = $0 { property.hasName(propertyName) } else { false } }
        return before - nodes.count
    }

    /// Lets `body` edit, in place, each property with the given name (case-insensitive).
    /// - Parameters:
    ///   - propertyName: The property name.
    ///   - body: Called once per matching property, in order.
    /// - Throws: Whatever `body` throws.
    public mutating func modifyProperties(named propertyName: String, _ body: (inout Property) throws -> Void) rethrows {
        for index in nodes.indices {
            guard case .property(var property) = nodes[index], property.hasName(propertyName) else { continue }
            try body(&property)
            nodes[index] = .property(property)
        }
    }

    // MARK: Editing sub-components

    /// Appends a sub-component after all existing content.
    /// - Parameter component: The component to add.
    public mutating func addComponent(_ component: Component) {
        let lastContentIndex = nodes.lastIndex { if case .verbatim = $0 { false } else { true } }
        nodes.insert(.component(component), at: lastContentIndex.map { $0 + 1 } ?? nodes.count)
    }

    /// Removes the direct sub-components for which `shouldRemove` returns `true`.
    /// - Parameter shouldRemove: The predicate.
    /// - Throws: Whatever `shouldRemove` throws.
    public mutating func removeComponents(where shouldRemove: (Component) throws -> Bool) rethrows {
        try nodes.removeAll { if case .component(let child) = $0 { try shouldRemove(child) } else { false } }
    }

    /// Lets `body` edit, in place, every descendant component with the given name (depth first).
    /// - Parameters:
    ///   - componentName: The component name (case-insensitive), for example `VEVENT`.
    ///   - body: Called once per matching component, before its own descendants are visited.
    /// - Throws: Whatever `body` throws.
    public mutating func modifyComponents(named componentName: String, _ body: (inout Component) throws -> Void) rethrows {
        for index in nodes.indices {
            guard case .component(var child) = nodes[index] else { continue }
            if child.hasName(componentName) { try body(&child) }
            try child.modifyComponents(named: componentName, body)
            nodes[index] = .component(child)
        }
    }

    // MARK: Serialization

    func serialize(into output: inout [UInt8], lineEnding: LineEnding) {
        if let originalBeginLines {
            output.append(contentsOf: originalBeginLines)
        } else {
            Folding.appendFolded(Array(("BEGIN:" + name).utf8), lineEnding: lineEnding, to: &output)
        }
        Component.serialize(nodes, into: &output, lineEnding: lineEnding)
        if let originalEndLines {
            output.append(contentsOf: originalEndLines)
        } else {
            Folding.appendFolded(Array(("END:" + name).utf8), lineEnding: lineEnding, to: &output)
        }
    }

    static func serialize(_ nodes: [Node], into output: inout [UInt8], lineEnding: LineEnding) {
        for node in nodes {
            switch node {
            case .property(let property): property.serialize(into: &output, lineEnding: lineEnding)
            case .component(let component): component.serialize(into: &output, lineEnding: lineEnding)
            case .verbatim(let bytes): output.append(contentsOf: bytes)
            }
        }
    }
}
