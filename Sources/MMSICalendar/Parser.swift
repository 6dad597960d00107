/// The content-line parser (RFC 5545 §3.1): physical lines → unfolded content
/// lines → name, parameters, value → a tree of components.
///
/// Every physical line's bytes, including its exact line ending, end up in
/// exactly one node of the tree, so serializing the tree reproduces the input.
enum ICalendarParser {
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let carriageReturn: UInt8 = 0x0D
    private static let lineFeed: UInt8 = 0x0A

    /// A physical line: `start..<contentEnd` is its text, `contentEnd..<end` its line ending.
    private struct PhysicalLine {
        var start: Int
        var contentEnd: Int
        var end: Int
    }

    /// An open component on the parse stack.
    private struct OpenComponent {
        var component: Component
        var upperName: String
    }

    static func parse(_ bytes: [UInt8], limits: ICalendarResource.ParsingLimits) throws(ICalendarError) -> ICalendarResource {
        let (lines, lineEnding) = try splitLines(bytes, limits: limits)
        var resource = ICalendarResource(lineEnding: lineEnding ?? .crlf)
        var stack: [OpenComponent] = []

        func appendNode(_ node: Component.Node) {
            if stack.isEmpty {
                resource.nodes.append(node)
            } else {
                stack[stack.count - 1].component.nodes.append(node)
            }
        }

        var index = 0
        while index < lines.count {
            let first = lines[index]
            let lineNumber = index + 1
            if first.contentEnd == first.start {
                appendNode(.verbatim(Array(bytes[first.start..<first.end])))
                index += 1
                continue
            }
            if isFoldWhitespace(bytes[first.start]) {
                // Nothing to continue (start of input, or after a blank line): tolerate pure
                // whitespace (kept verbatim), reject anything with content.
                if bytes[first.start..<first.contentEnd].allSatisfy(isFoldWhitespace) {
                    appendNode(.verbatim(Array(bytes[first.start..<first.end])))
                    index += 1
                    continue
                }
                throw ICalendarError(code: .unexpectedContinuation,
                                     message: "a continuation line (starting with a space or tab) has no preceding content line",
                                     lineNumber: lineNumber)
            }

            var unfolded = Array(bytes[first.start..<first.contentEnd])
            var last = index
            while last + 1 < lines.count {
                let next = lines[last + 1]
                guard next.contentEnd > next.start, isFoldWhitespace(bytes[next.start]) else { break }
                unfolded.append(contentsOf: bytes[(next.start + 1)..<next.contentEnd])
                last += 1
                if unfolded.count > limits.maximumContentLineLength {
                    throw ICalendarError(code: .lineTooLong,
                                         message: "content line longer than \(limits.maximumContentLineLength) bytes",
                                         lineNumber: lineNumber)
                }
            }
            if unfolded.count > limits.maximumContentLineLength {
                throw ICalendarError(code: .lineTooLong,
                                     message: "content line longer than \(limits.maximumContentLineLength) bytes",
                                     lineNumber: lineNumber)
            }
            let raw = Array(bytes[first.start..<lines[last].end])
            index = last + 1

            let parsed = try ContentLineParser.parse(unfolded, lineNumber: lineNumber)
            let upperName = parsed.name.asciiUppercased
            if upperName == "BEGIN" {
                let componentName = parsed.value.trimmingSpaces()
                guard !componentName.isEmpty else {
                    throw ICalendarError(code: .invalidValue, message: "BEGIN without a component name", lineNumber: lineNumber)
                }
                guard stack.count < limits.maximumNestingDepth else {
                    throw ICalendarError(code: .nestingTooDeep,
                                         message: "components nested deeper than \(limits.maximumNestingDepth) levels",
                                         lineNumber: lineNumber)
                }
                stack.append(OpenComponent(component: Component(parsedName: componentName, beginLines: raw, lineNumber: lineNumber),
                                           upperName: componentName.asciiUppercased))
            } else if upperName == "END" {
                let componentName = parsed.value.trimmingSpaces()
                guard var open = stack.popLast() else {
                    throw ICalendarError(code: .endWithoutBegin,
                                         message: "END:\(componentName) without a matching BEGIN",
                                         lineNumber: lineNumber)
                }
                guard componentName.asciiUppercased == open.upperName else {
                    throw ICalendarError(code: .mismatchedEnd,
                                         message: "END:\(componentName) does not close BEGIN:\(open.component.name) (line \(open.component.lineNumber ?? 0))",
                                         lineNumber: lineNumber)
                }
                open.component.originalEndLines = raw
                appendNode(.component(open.component))
            } else {
                guard !stack.isEmpty else {
                    throw ICalendarError(code: .propertyOutsideComponent,
                                         message: "property \(parsed.name) outside any component",
                                         lineNumber: lineNumber)
                }
                var property = Property(name: parsed.name, parameters: parsed.parameters, value: parsed.value)
                property.originalLines = raw
                property.originalPrefix = Array(unfolded[0..<parsed.colonIndex])
                property.lineNumber = lineNumber
                appendNode(.property(property))
            }
        }
        if let open = stack.last {
            throw ICalendarError(code: .unterminatedComponent,
                                 message: "BEGIN:\(open.component.name) is never closed by END:\(open.component.name)",
                                 lineNumber: open.component.lineNumber)
        }
        return resource
    }

    @inline(__always)
    private static func isFoldWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    /// Splits on LF; a CR right before the LF belongs to the line ending. A final
    /// line without LF is kept (a trailing lone CR counts as its line ending).
    private static func splitLines(_ bytes: [UInt8], limits: ICalendarResource.ParsingLimits) throws(ICalendarError) -> ([PhysicalLine], LineEnding?) {
        var lines: [PhysicalLine] = []
        var detected: LineEnding?
        var start = 0
        let count = bytes.count
        while start < count {
            if lines.count >= limits.maximumLineCount {
                throw ICalendarError(code: .tooManyLines,
                                     message: "more than \(limits.maximumLineCount) lines",
                                     lineNumber: lines.count + 1)
            }
            if let lineFeedIndex = bytes[start...].firstIndex(of: lineFeed) {
                let hasCarriageReturn = lineFeedIndex > start && bytes[lineFeedIndex - 1] == carriageReturn
                if detected == nil { detected = hasCarriageReturn ? .crlf : .lf }
                lines.append(PhysicalLine(start: start, contentEnd: hasCarriageReturn ? lineFeedIndex - 1 : lineFeedIndex, end: lineFeedIndex + 1))
                start = lineFeedIndex + 1
            } else {
                let contentEnd = bytes[count - 1] == carriageReturn ? count - 1 : count
                lines.append(PhysicalLine(start: start, contentEnd: contentEnd, end: count))
                start = count
            }
        }
        return (lines, detected)
    }
}

/// Parses one unfolded content line: `name *(";" param) ":" value` (RFC 5545 §3.1).
enum ContentLineParser {
    struct Result {
        var name: String
        var parameters: [Parameter]
        var value: String
        /// Index of the `:` that starts the value.
        var colonIndex: Int
    }

    private static let colon = UInt8(ascii: ":")
    private static let semicolon = UInt8(ascii: ";")
    private static let comma = UInt8(ascii: ",")
    private static let equals = UInt8(ascii: "=")
    private static let quote = UInt8(ascii: "\"")

    static func parse(_ bytes: [UInt8], lineNumber: Int) throws(ICalendarError) -> Result {
        let count = bytes.count
        var index = 0
        while index < count, bytes[index] != semicolon, bytes[index] != colon { index += 1 }
        guard index < count else {
            throw ICalendarError(code: .missingColon, message: "content line has no ':' before its value", lineNumber: lineNumber)
        }
        guard index > 0 else {
            throw ICalendarError(code: .emptyName, message: "content line has no property name", lineNumber: lineNumber)
        }
        let name = text(bytes[0..<index])
        var parameters: [Parameter] = []
        while bytes[index] == semicolon {
            index += 1
            let nameStart = index
            while index < count, bytes[index] != equals, bytes[index] != colon, bytes[index] != semicolon { index += 1 }
            guard index < count else {
                throw ICalendarError(code: .missingColon, message: "content line has no ':' before its value", lineNumber: lineNumber)
            }
            let parameterName = text(bytes[nameStart..<index])
            guard bytes[index] == equals else {
                throw ICalendarError(code: .malformedParameter, message: "parameter '\(parameterName)' of \(name) has no '='", lineNumber: lineNumber)
            }
            guard !parameterName.isEmpty else {
                throw ICalendarError(code: .malformedParameter, message: "a parameter of \(name) has an empty name", lineNumber: lineNumber)
            }
            index += 1
            var values: [String] = []
            while true {
                if index < count, bytes[index] == quote {
                    let valueStart = index + 1
                    guard let closing = bytes[valueStart...].firstIndex(of: quote) else {
                        throw ICalendarError(code: .unterminatedQuote,
                                             message: "quoted value of parameter '\(parameterName)' of \(name) has no closing '\"'",
                                             lineNumber: lineNumber)
                    }
                    values.append(text(bytes[valueStart..<closing]))
                    index = closing + 1
                    guard index < count else {
                        throw ICalendarError(code: .missingColon, message: "content line has no ':' before its value", lineNumber: lineNumber)
                    }
                    guard bytes[index] == comma || bytes[index] == semicolon || bytes[index] == colon else {
                        throw ICalendarError(code: .malformedParameter,
                                             message: "unexpected character after the quoted value of parameter '\(parameterName)' of \(name)",
                                             lineNumber: lineNumber)
                    }
                } else {
                    let valueStart = index
                    while index < count, bytes[index] != comma, bytes[index] != semicolon, bytes[index] != colon { index += 1 }
                    guard index < count else {
                        throw ICalendarError(code: .missingColon, message: "content line has no ':' before its value", lineNumber: lineNumber)
                    }
                    values.append(text(bytes[valueStart..<index]))
                }
                if bytes[index] == comma {
                    index += 1
                    continue
                }
                break
            }
            parameters.append(Parameter(name: parameterName, values: values))
        }
        return Result(name: name, parameters: parameters, value: text(bytes[(index + 1)...]), colonIndex: index)
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
