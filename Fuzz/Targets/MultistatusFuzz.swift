#if !FUZZING
@testable import MMSCalDAV
#endif
import Foundation

/// Target `multistatus` (Sources/MMSCalDAV/Multistatus.swift): the parser of a CalDAV server's
/// WebDAV multistatus bodies (RFC 4918 §14.16), run on what a server (or anything posing as one)
/// sends.
///
/// Properties:
/// - **Refusal.** Any input parses or is refused with `MultistatusParser.Failure`, never a crash or
///   a hang (libFuzzer's timeout), however deep or malformed.
/// - **Round trip.** What parses is written back here as a canonical multistatus (one propstat per
///   response, every text as character references) and parsed again: the same responses come back.
enum MultistatusFuzz {
    static let name = "multistatus"

    static func check(_ data: [UInt8]) throws(PropertyFailure) {
        let responses: [MultistatusResponse]
        do throws(MultistatusParser.Failure) {
            responses = try MultistatusParser.parse(Data(data))
        } catch {
            try require(!error.description.isEmpty, "a refusal without a reason")
            return
        }
        let xml = canonical(responses)
        let again: [MultistatusResponse]
        do throws(MultistatusParser.Failure) {
            again = try MultistatusParser.parse(Data(xml.utf8))
        } catch {
            throw PropertyFailure(description: "the canonical form does not parse: \(error) — \(xml.prefix(300))")
        }
        let want = responses.map(expected)
        guard again != want else { return }
        guard again.count == want.count else { throw PropertyFailure(description: "\(want.count) responses came back as \(again.count)") }
        for (old, new) in zip(want, again) where old != new {
            for (name, value) in old.properties where new.properties[name] != value {
                throw PropertyFailure(description: "\(old.href): property \(name) was \(value), came back \(String(describing: new.properties[name]))")
            }
            throw PropertyFailure(description: "\(old) came back as \(new)")
        }
    }

    /// What a response reads as once written canonically: the `C:comp` elements written for
    /// component names are children of their property too (an href is never a child).
    static func expected(_ response: MultistatusResponse) -> MultistatusResponse {
        var response = response
        for (name, value) in response.properties {
            var value = value
            if !value.componentNames.isEmpty { value.children.insert(PropertyName(namespace: DAVNamespace.caldav, name: "comp")) }
            value.hrefs = value.hrefs.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            response.properties[name] = value
        }
        return response
    }

    static func canonical(_ responses: [MultistatusResponse]) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
        for response in responses {
            xml += "<D:response><D:href>\(escaped(response.href))</D:href>"
            if let status = response.status { xml += "<D:status>HTTP/1.1 \(status) X</D:status>" }
            if !response.properties.isEmpty {
                xml += "<D:propstat><D:prop>"
                for (name, value) in response.properties.sorted(by: { ($0.key.namespace, $0.key.name) < ($1.key.namespace, $1.key.name) }) {
                    xml += "<\(qualified(name, prefix: "p"))>\(escaped(value.text))"
                    for href in value.hrefs { xml += "<D:href>\(escaped(href))</D:href>" }
                    for component in value.componentNames { xml += "<C:comp name=\"\(escaped(component))\"/>" }
                    for child in value.children.sorted(by: { ($0.namespace, $0.name) < ($1.namespace, $1.name) }) {
                        xml += "<\(qualified(child, prefix: "q"))/>"
                    }
                    xml += name.namespace.isEmpty ? "</\(name.name)>" : "</p:\(name.name)>"
                }
                xml += "</D:prop></D:propstat>"
            }
            xml += "</D:response>"
        }
        return xml + "</D:multistatus>\n"
    }

    /// An element's start-tag name with its namespace declared; no prefix for no namespace, which a
    /// prefix may not be bound to (Regressions/multistatus/child-without-namespace: a harness bug).
    static func qualified(_ name: PropertyName, prefix: String) -> String {
        name.namespace.isEmpty ? name.name : "\(prefix):\(name.name) xmlns:\(prefix)=\"\(escaped(name.namespace))\""
    }

    /// Text as XML character data: everything but letters and digits as a character reference,
    /// so no white space is normalised and no markup can form.
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "&#x" + String(scalar.value, radix: 16) + ";"
            }
        }
        return out
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do { try MultistatusFuzz.check(bytes) } catch { fatalError("property failed: \(error)") }
    return 0
}
#endif
