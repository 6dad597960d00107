import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One `DAV:response` of a WebDAV multistatus (RFC 4918 §14.16), reduced to what CalDAV discovery
/// and `calendar-query` need: the properties found (a `200` propstat), each by its namespace and
/// local name.
struct MultistatusResponse: Sendable, Hashable {
    /// The resource's `href`, as the server wrote it (percent-encoded, maybe relative).
    var href: String
    /// The response-level status code, when given (a `404` for a resource that vanished).
    var status: Int?
    /// The properties of the `200` propstats.
    var properties: [PropertyName: PropertyValue]

    func property(_ namespace: String, _ name: String) -> PropertyValue? {
        properties[PropertyName(namespace: namespace, name: name)]
    }
}

/// A WebDAV property name: namespace URI and local name.
struct PropertyName: Sendable, Hashable {
    var namespace: String
    var name: String
}

/// What one property holds, in the forms the callers need.
struct PropertyValue: Sendable, Hashable {
    /// Its character data (CDATA included), as the parser delivers it.
    var text: String = ""
    /// The `DAV:href` elements directly or deeply inside it.
    var hrefs: [String] = []
    /// The names of its child elements (`resourcetype` holds `DAV:collection`, `C:calendar`).
    var children: Set<PropertyName> = []
    /// The `name` attributes of `C:comp` children (`supported-calendar-component-set`).
    var componentNames: [String] = []
}

enum DAVNamespace {
    static let dav = "DAV:"
    static let caldav = "urn:ietf:params:xml:ns:caldav"
}

/// Parses a multistatus body with Foundation's `XMLParser` (namespace-aware, no external entities).
/// Anything that is not a well-formed multistatus is an error, never a crash.
enum MultistatusParser {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ data: Data) throws(Failure) -> [MultistatusResponse] {
        if let reason = crashesFoundation(data) {
            throw Failure(description: "the response is not a WebDAV multistatus: \(reason)")
        }
        let delegate = Delegate()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        let parsed = parser.parse()
        if !parsed {
            let reason = delegate.failure ?? parser.parserError.map { "\($0.localizedDescription)" } ?? "not well-formed XML"
            throw Failure(description: "the response is not a WebDAV multistatus: \(reason)")
        }
        if let failure = delegate.failure { throw Failure(description: failure) }
        guard delegate.sawMultistatus else { throw Failure(description: "the response is XML but not a DAV:multistatus") }
        return delegate.responses
    }

    /// Why Foundation's XMLParser on Linux would kill the process on `data`, if it would (both found
    /// by Fuzz/, multistatus target; docs/RELIABILITY.md "Fuzzing"), so such a body never reaches it:
    /// - an element name that is not UTF-8 (`<\xFF\xFF\xFF\xFF` traps in its start-element callback).
    ///   Servers send multistatus bodies in UTF-8 (RFC 4918 §8.1), so any other byte is refused;
    /// - a processing instruction with a target and no data (`<?x?>`: a null pointer read). Matched
    ///   on the bytes, so also inside CDATA, where it would be harmless but is as rare.
    static func crashesFoundation(_ data: Data) -> String? {
        guard String(validating: data, as: UTF8.self) != nil else { return "its body is not UTF-8" }
        let found: Bool = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = 0
            while index + 3 < bytes.count {
                defer { index += 1 }
                guard bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "?") else { continue }
                var end = index + 2
                while end < bytes.count, ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "?"), UInt8(ascii: ">")].contains(bytes[end]) { end += 1 }
                if end > index + 2, end + 1 < bytes.count, bytes[end] == UInt8(ascii: "?"), bytes[end + 1] == UInt8(ascii: ">") { return true }
            }
            return false
        }
        return found ? "it holds a processing instruction without data (<?name?>)" : nil
    }

    /// A SAX delegate that keeps only a small state machine: no tree, so depth costs nothing.
    private final class Delegate: NSObject, XMLParserDelegate {
        var responses: [MultistatusResponse] = []
        var sawMultistatus = false
        var failure: String?

        private var stack: [PropertyName] = []
        // Within a response
        private var href: String?
        private var responseStatus: Int?
        private var inResponse = false
        // Within a propstat
        private var propstatProperties: [PropertyName: PropertyValue] = [:]
        private var propstatStatus: Int?
        private var collected: [PropertyName: PropertyValue] = [:]
        private var currentProperty: PropertyName?
        private var currentValue = PropertyValue()
        private var hrefText: String?
        private var statusText: String?
        private var elementDepthLimit = 64

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let name = PropertyName(namespace: namespaceURI ?? "", name: elementName)
            stack.append(name)
            if stack.count > elementDepthLimit {
                failure = "the XML nests deeper than \(elementDepthLimit) elements"
                parser.abortParsing()
                return
            }
            if stack.count == 1 {
                if name == PropertyName(namespace: DAVNamespace.dav, name: "multistatus") {
                    sawMultistatus = true
                } else {
                    failure = "the XML's root element is \(name.namespace) \(name.name), not DAV: multistatus"
                    parser.abortParsing()
                }
                return
            }
            let isDAV = name.namespace == DAVNamespace.dav
            if stack.count == 2, isDAV, name.name == "response" {
                inResponse = true
                href = nil
                responseStatus = nil
                collected = [:]
                return
            }
            guard inResponse else { return }
            if stack.count == 3, isDAV, name.name == "propstat" {
                propstatProperties = [:]
                propstatStatus = nil
                return
            }
            if isDAV, name.name == "href", stack.count == 3 || currentProperty != nil {
                hrefText = ""
                return
            }
            if isDAV, name.name == "status", stack.count == 3 || stack.count == 4 {
                statusText = ""
                return
            }
            // A property: a child of DAV:prop inside a propstat.
            if stack.count == 5, stack[2] == PropertyName(namespace: DAVNamespace.dav, name: "propstat"),
               stack[3] == PropertyName(namespace: DAVNamespace.dav, name: "prop") {
                currentProperty = name
                currentValue = PropertyValue()
                return
            }
            if currentProperty != nil {
                if stack.count == 6 { currentValue.children.insert(name) }
                if name.namespace == DAVNamespace.caldav, name.name == "comp", let component = attributeDict["name"] {
                    currentValue.componentNames.append(component)
                }
            }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard let name = stack.popLast() else { return }
            let depth = stack.count + 1
            let isDAV = name.namespace == DAVNamespace.dav
            if isDAV, name.name == "href", let text = hrefText {
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if depth == 3 { href = trimmed } else { currentValue.hrefs.append(trimmed) }
                hrefText = nil
                return
            }
            if isDAV, name.name == "status", let text = statusText {
                let code = Self.statusCode(text)
                if depth == 3 { responseStatus = code } else { propstatStatus = code }
                statusText = nil
                return
            }
            if depth == 5, let property = currentProperty, property == name {
                propstatProperties[property] = currentValue
                currentProperty = nil
                return
            }
            if depth == 3, isDAV, name.name == "propstat" {
                if propstatStatus == nil || propstatStatus == 200 {
                    collected.merge(propstatProperties) { first, _ in first }
                }
                return
            }
            if depth == 2, isDAV, name.name == "response" {
                inResponse = false
                guard let href, !href.isEmpty else {
                    failure = "a DAV:response has no DAV:href"
                    parser.abortParsing()
                    return
                }
                responses.append(MultistatusResponse(href: href, status: responseStatus, properties: collected))
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            append(string)
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            append(String(decoding: CDATABlock, as: UTF8.self))
        }

        private func append(_ string: String) {
            if hrefText != nil { hrefText! += string; return }
            if statusText != nil { statusText! += string; return }
            if currentProperty != nil, stack.count == 5 { currentValue.text += string }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            if failure == nil { failure = "not well-formed XML (\(parseError.localizedDescription))" }
        }

        /// `HTTP/1.1 200 OK` → 200.
        static func statusCode(_ line: String) -> Int? {
            let parts = line.split(separator: " ")
            guard parts.count >= 2 else { return nil }
            return Int(parts[1])
        }
    }
}
