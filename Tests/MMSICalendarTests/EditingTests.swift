import Foundation
import Testing
@testable import MMSICalendar

@Suite("Editing")
struct EditingTests {
    /// Splits bytes into physical lines, each keeping its line ending.
    private func physicalLines(_ bytes: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        for byte in bytes {
            current.append(byte)
            if byte == 0x0A {
                lines.append(current)
                current = []
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    @Test("changing DESCRIPTION re-serializes only its lines; every other line is byte-identical")
    func editDescription() throws {
        for ending in ["\r\n", "\n"] {
            let original = Fixtures.meeting.replacingOccurrences(of: "\r\n", with: ending)
            var resource = try ICalendarResource(parsing: original)
            let newText = "Ordre du jour :\n1. Point projet\n\n" + String(repeating: "Rejoindre la réunion Teams 🎉 : https://teams.example.com/l/meetup-join/19%3ameeting; ", count: 4)
            resource.modifyComponents(named: "VEVENT") { event in
                event.setTextValue(newText, forProperty: "DESCRIPTION")
            }
            let output = resource.serializedBytes()
            let before = physicalLines(Array(original.utf8))
            let after = physicalLines(output)

            // The old DESCRIPTION spans lines 32-34 (1-based); everything before and after is untouched.
            let descriptionStart = 31, oldDescriptionLineCount = 3
            #expect(Array(after[..<descriptionStart]) == Array(before[..<descriptionStart]))
            let newDescriptionLineCount = after.count - before.count + oldDescriptionLineCount
            #expect(Array(after[(descriptionStart + newDescriptionLineCount)...]) == Array(before[(descriptionStart + oldDescriptionLineCount)...]))

            // The new lines are folded correctly, use the resource's line ending and read back as the new text.
            let newLines = after[descriptionStart..<(descriptionStart + newDescriptionLineCount)]
            for (index, line) in newLines.enumerated() {
                #expect(line.suffix(ending.utf8.count).elementsEqual(ending.utf8))
                #expect(line.count - ending.utf8.count <= 75)
                #expect(isValidUTF8(line))
                if index > 0 { #expect(line.first == 0x20) }
            }
            let reparsed = try ICalendarResource(parsing: output)
            let event = try #require(reparsed.allComponents(named: "VEVENT").first)
            #expect(event.property(named: "DESCRIPTION")?.textValue == newText)
            #expect(event.property(named: "ATTACH")?.value == Fixtures.attachmentBase64)
            #expect(event.components.first?.property(named: "DESCRIPTION")?.value == "Reminder")
        }
    }

    @Test("a value-only edit keeps the original name and parameter text, quotes included")
    func valueEditKeepsParameters() throws {
        var resource = try ICalendarResource(parsing: "BEGIN:VEVENT\r\nAtTeNdEe;cn=\"Bob\";X-Y=\"a:b\":mailto:bob@x.org\r\nEND:VEVENT\r\n")
        resource.modifyComponents(named: "VEVENT") { event in
            event.modifyProperties(named: "ATTENDEE") { $0.value = "mailto:robert@x.org" }
        }
        #expect(resource.serializedString() == "BEGIN:VEVENT\r\nAtTeNdEe;cn=\"Bob\";X-Y=\"a:b\":mailto:robert@x.org\r\nEND:VEVENT\r\n")
    }

    @Test("a parameter edit regenerates the line, quoting values that need it")
    func parameterEdit() throws {
        var resource = try ICalendarResource(parsing: "BEGIN:VEVENT\nATTENDEE;CN=Bob:mailto:bob@x.org\nUID:1\nEND:VEVENT\n")
        resource.modifyComponents(named: "VEVENT") { event in
            event.modifyProperties(named: "ATTENDEE") { attendee in
                attendee.setParameter("CN", values: ["Martin, Bob"])
                attendee.setParameter("PARTSTAT", values: ["ACCEPTED"])
                attendee.setParameter("DELEGATED-TO", values: ["mailto:a@x.org", "mailto:b@x.org"])
            }
        }
        #expect(Folding.unfold(resource.serializedString()) == "BEGIN:VEVENT\nATTENDEE;CN=\"Martin, Bob\";PARTSTAT=ACCEPTED;DELEGATED-TO=\"mailto:a@x.org\",\"mailto:b@x.org\":mailto:bob@x.org\nUID:1\nEND:VEVENT\n")
    }

    @Test("setting a property to its current value keeps its original bytes")
    func noOpEdit() throws {
        let text = "BEGIN:VEVENT\r\nSUMMARY:Hel\r\n lo\r\nEND:VEVENT\r\n"
        var resource = try ICalendarResource(parsing: text)
        resource.modifyComponents(named: "VEVENT") { $0.setValue("Hello", forProperty: "summary") }
        #expect(resource.serializedString() == text)
    }

    @Test("adding a property puts it after the last property, before sub-components")
    func addProperty() throws {
        var resource = try ICalendarResource(parsing: "BEGIN:VEVENT\nUID:1\nBEGIN:VALARM\nACTION:DISPLAY\nEND:VALARM\nEND:VEVENT")
        resource.modifyComponents(named: "VEVENT") { event in
            event.addProperty(Property(name: "X-MMS-MIGRATED", parameters: [Parameter(name: "X-BY", value: "mms")], value: "TRUE"))
            event.setValue("Weekly", forProperty: "SUMMARY")
        }
        #expect(resource.serializedString() == "BEGIN:VEVENT\nUID:1\nX-MMS-MIGRATED;X-BY=mms:TRUE\nSUMMARY:Weekly\nBEGIN:VALARM\nACTION:DISPLAY\nEND:VALARM\nEND:VEVENT")
    }

    @Test("removing properties and components leaves the other lines untouched")
    func remove() throws {
        var resource = try ICalendarResource(parsing: Fixtures.meeting)
        resource.modifyComponents(named: "VEVENT") { event in
            #expect(event.removeProperties(named: "attach") == 1)
            event.removeComponents { $0.hasName("VALARM") }
        }
        var expected = Fixtures.meeting
        let attachStart = try #require(expected.range(of: "ATTACH;"))
        let alarmEnd = try #require(expected.range(of: "END:VALARM\r\n"))
        expected.removeSubrange(attachStart.lowerBound..<alarmEnd.upperBound)
        #expect(resource.serializedString() == expected)
    }

    @Test("new components and properties get generated, folded lines")
    func newComponent() throws {
        var calendar = Component(name: "VCALENDAR", properties: [Property(name: "VERSION", value: "2.0")])
        var event = Component(name: "VEVENT")
        event.addProperty(Property(name: "DTSTART", dateTime: DateTimeValue(LocalDateTime(year: 2026, month: 3, day: 1, hour: 9), reference: .zone("Europe/Paris"))))
        event.addProperty(Property(name: "DTEND", dateTime: DateTimeValue(year: 2026, month: 3, day: 2)))
        event.setTextValue("Line one\nLine two; with, punctuation", forProperty: "DESCRIPTION")
        calendar.addComponent(event)
        var resource = ICalendarResource(lineEnding: .lf)
        resource.addComponent(calendar)
        #expect(resource.serializedString() == """
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VEVENT
            DTSTART;TZID=Europe/Paris:20260301T090000
            DTEND;VALUE=DATE:20260302
            DESCRIPTION:Line one\\nLine two\\; with\\, punctuation
            END:VEVENT
            END:VCALENDAR

            """)
    }

    @Test("raw line breaks in a regenerated value cannot break the line structure")
    func sanitizedValue() throws {
        var resource = try ICalendarResource(parsing: "BEGIN:VEVENT\r\nX-A:1\r\nEND:VEVENT\r\n")
        resource.modifyComponents(named: "VEVENT") { $0.setValue("a\r\nb\nc", forProperty: "X-A") }
        #expect(resource.serializedString() == "BEGIN:VEVENT\r\nX-A:a\\nb\\nc\r\nEND:VEVENT\r\n")
    }
}
