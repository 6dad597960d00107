import Foundation
import Testing
@testable import MMSICalendar

@Suite("Robustness")
struct RobustnessTests {
    @Test("seeded byte mutations either round-trip exactly or fail with an ICalendarError")
    func mutations() {
        var generator = SeededGenerator(seed: 7)
        let original = Array(Fixtures.meeting.utf8)
        let interesting: [UInt8] = [0x0D, 0x0A, 0x20, 0x09, 0x3A, 0x3B, 0x2C, 0x22, 0x3D, 0x5C, 0xC3, 0xFF, 0x00]
        var parsed = 0, rejected = 0
        for _ in 0..<400 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = interesting.randomElement(using: &generator)!
                case 1: bytes.insert(interesting.randomElement(using: &generator)!, at: index)
                default: bytes.remove(at: index)
                }
            }
            do {
                let resource = try ICalendarResource(parsing: bytes)
                #expect(resource.serializedBytes() == bytes)
                parsed += 1
            } catch {
                #expect(error.lineNumber != nil)
                rejected += 1
            }
        }
        #expect(parsed > 0)
        #expect(rejected > 0)
    }

    @Test("a large inline attachment (2 MiB) parses, round-trips and survives an unrelated edit")
    func largeAttachment() throws {
        let payload = Data((0..<(1 << 21)).map { UInt8(truncatingIfNeeded: $0 &* 31) }).base64EncodedString()
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n" + Folding.fold("ATTACH;ENCODING=BASE64;VALUE=BINARY:" + payload) + "END:VEVENT\r\nEND:VCALENDAR\r\n"
        var resource = try ICalendarResource(parsing: text)
        #expect(resource.serializedString() == text)
        resource.modifyComponents(named: "VEVENT") { $0.setValue("y", forProperty: "SUMMARY") }
        #expect(resource.serializedString() == text.replacingOccurrences(of: "SUMMARY:x\r\n", with: "SUMMARY:y\r\n"))
    }

    @Test("component queries: names are case-insensitive, removal counts, nested edits")
    func componentQueries() throws {
        var resource = try ICalendarResource(parsing: Fixtures.meeting)
        let event = try #require(resource.allComponents(named: "VEVENT").first)
        #expect(event.properties(named: "attendee").count == 1)
        #expect(event.property(named: "NOPE") == nil)
        #expect(event.hasName("vevent"))
        var visited: [String] = []
        resource.modifyComponents(named: "VALARM") { alarm in
            visited.append(alarm.name)
            alarm.setValue("-PT30M", forProperty: "TRIGGER")
        }
        #expect(visited == ["VALARM"])
        let trigger = try #require(resource.allComponents(named: "VALARM").first?.property(named: "TRIGGER"))
        #expect(trigger.value == "-PT30M")
        #expect(trigger.parameterValue(named: "RELATED") == "START")
        #expect(trigger.contentLine == "TRIGGER;RELATED=START:-PT30M")
        #expect(!trigger.isUnmodified)
        #expect(resource.serializedString() == Fixtures.meeting.replacingOccurrences(of: "TRIGGER;RELATED=START:-PT15M", with: "TRIGGER;RELATED=START:-PT30M"))
    }
}
