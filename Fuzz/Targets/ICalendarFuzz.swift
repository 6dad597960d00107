#if !FUZZING
@testable import MMSICalendar
#endif

/// Target `icalendar` (Sources/MMSICalendar): the parser and writer of a calendar resource a CalDAV
/// server or an import sent (R4).
///
/// Input: the resource. Properties:
/// - **Byte for byte.** A resource that parses is written back identical to its input.
/// - **Edit.** Setting every VEVENT's DESCRIPTION to a text (the input's last bytes) gives a
///   resource that parses again, with the same components, every other property's lines unchanged,
///   and DESCRIPTION reading back as the text (line breaks written as `\n`, RFC 5545 §3.3.11).
/// - **Text helpers.** `unescape(escape(t))` and `unfold(fold(line))` give their input back (the
///   latter with its line ending), and `fold` writes no line over 75 octets.
/// - **Refusal.** A resource that does not parse is refused with a message and, when it has one,
///   a line number inside the input.
enum ICalendarFuzz {
    static let name = "icalendar"

    static func check(_ data: [UInt8]) throws(PropertyFailure) {
        let text = String(decoding: data.suffix(48), as: UTF8.self)
        let expectedText = normalizedLineBreaks(text)
        try require(TextEscaping.unescape(TextEscaping.escape(text)) == expectedText,
                    "unescape(escape(\(text.debugDescription))) is \(TextEscaping.unescape(TextEscaping.escape(text)).debugDescription)")
        let line = "DESCRIPTION:" + TextEscaping.escape(String(decoding: data.prefix(300), as: UTF8.self))
        let folded = Folding.fold(line)
        try require(Folding.unfold(folded) == line + "\r\n", "unfold(fold(line)) changed \(line.debugDescription)")
        try require(folded.utf8.split(separator: 10).allSatisfy { $0.count <= Folding.maximumLineOctets + 1 },
                    "fold(line) wrote a line over \(Folding.maximumLineOctets) octets")

        let resource: ICalendarResource
        do throws(ICalendarError) {
            resource = try ICalendarResource(parsing: data)
        } catch {
            let lines = data.reduce(1) { $0 + ($1 == 10 ? 1 : 0) }
            try require(!error.message.isEmpty && (error.lineNumber.map { $0 >= 1 && $0 <= lines } ?? true),
                        "refusal \(error) names line \(String(describing: error.lineNumber)) of \(lines)")
            return
        }
        let written = resource.serializedBytes()
        try require(written == data, "parsed and written back, the resource changed: \(describe(written)) from \(describe(data))")

        var edited = resource
        edited.modifyComponents(named: "VEVENT") { $0.setTextValue(text, forProperty: "DESCRIPTION") }
        let editedBytes = edited.serializedBytes()
        let reparsed: ICalendarResource
        do throws(ICalendarError) {
            reparsed = try ICalendarResource(parsing: editedBytes)
        } catch {
            throw PropertyFailure(description: "after setting DESCRIPTION to \(text.debugDescription) the resource no longer parses: \(error)")
        }
        try compare(resource.components, reparsed.components, text: expectedText, path: "")
    }

    /// Walks the original and edited trees together.
    static func compare(_ before: [Component], _ after: [Component], text: String, path: String) throws(PropertyFailure) {
        try require(before.count == after.count, "\(path): \(before.count) components became \(after.count)")
        for (old, new) in zip(before, after) {
            let here = path + "/" + old.name
            try require(old.name == new.name, "\(here): became \(new.name)")
            var oldProperties = old.properties
            var newProperties = new.properties
            if old.hasName("VEVENT") {
                guard let description = newProperties.firstIndex(where: { $0.hasName("DESCRIPTION") }) else {
                    throw PropertyFailure(description: "\(here): DESCRIPTION missing after being set")
                }
                try require(newProperties[description].textValue == text,
                            "\(here): DESCRIPTION reads \(newProperties[description].textValue.debugDescription), set to \(text.debugDescription)")
                newProperties.remove(at: description)
                if let oldDescription = oldProperties.firstIndex(where: { $0.hasName("DESCRIPTION") }) {
                    oldProperties.remove(at: oldDescription)
                }
            }
            try require(oldProperties.map(\.originalLines) == newProperties.map(\.originalLines),
                        "\(here): properties other than DESCRIPTION changed")
            try compare(old.components, new.components, text: text, path: here)
        }
    }

    static func normalizedLineBreaks(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            if scalar == "\r" { result.append("\n") } else if scalar == "\n" { if !previousWasCR { result.append("\n") } } else { result.append(scalar) }
        }
        return String(result)
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do { try ICalendarFuzz.check(bytes) } catch { fatalError("property failed: \(error)") }
    return 0
}
#endif
