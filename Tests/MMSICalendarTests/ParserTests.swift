import Foundation
import Testing
@testable import MMSICalendar

@Suite("Parser")
struct ParserTests {
    @Test("builds the component tree with properties and parameters")
    func tree() throws {
        let resource = try ICalendarResource(parsing: Fixtures.meeting)
        #expect(resource.components.map(\.name) == ["VCALENDAR"])
        let calendar = try #require(resource.components.first)
        #expect(calendar.components.map(\.name) == ["VTIMEZONE", "VEVENT"])
        let event = try #require(resource.allComponents(named: "vevent").first)
        #expect(event.components.map(\.name) == ["VALARM"])
        #expect(resource.allComponents(named: "STANDARD").count == 1)
        let organizer = try #require(event.property(named: "organizer"))
        #expect(organizer.parameterValue(named: "cn") == "Dupont, Jeanne")
        #expect(organizer.mailtoAddress == "jeanne.dupont@example.com")
        let attach = try #require(event.property(named: "ATTACH"))
        #expect(attach.value == Fixtures.attachmentBase64)
        #expect(attach.parameterValue(named: "X-FILENAME") == "notes;v2.bin")
        let busy = try #require(event.property(named: "X-MICROSOFT-CDO-BUSYSTATUS"))
        #expect(busy.parameters == [Parameter(name: "X-PARAM", value: "1"), Parameter(name: "X-OTHER", value: "quoted,value")])
        #expect(busy.value == "BUSY")
        let description = try #require(event.property(named: "DESCRIPTION"))
        #expect(description.textValue.hasSuffix("Rejoindre la réunion : https://meet.example.com/j/123456789"))
        #expect(description.lineNumber == 32)
        #expect(resource.lineEnding == .crlf)
    }

    @Test("quoted parameter values may contain ':' ';' ',' and parameters may be multi-valued")
    func quotedParameters() throws {
        let text = "BEGIN:VEVENT\r\nATTENDEE;MEMBER=\"mailto:a@x.org\",\"mailto:b;c@x.org\";DELEGATED-FROM=\"mailto:d,e@x.org\";CN=Plain:mailto:z@x.org\r\nEND:VEVENT\r\n"
        let resource = try ICalendarResource(parsing: text)
        let attendee = try #require(resource.allComponents(named: "VEVENT").first?.property(named: "ATTENDEE"))
        #expect(attendee.parameter(named: "member")?.values == ["mailto:a@x.org", "mailto:b;c@x.org"])
        #expect(attendee.parameterValue(named: "Delegated-From") == "mailto:d,e@x.org")
        #expect(attendee.parameterValue(named: "CN") == "Plain")
        #expect(attendee.value == "mailto:z@x.org")
        #expect(resource.serializedString() == text)
    }

    @Test("a value may contain colons, semicolons and be empty")
    func values() throws {
        let resource = try ICalendarResource(parsing: "BEGIN:X-THING\nURL:https://x.org/a;b?c=d:e\nX-EMPTY:\nX-EMPTY-PARAM;X-P=:v\nEND:X-THING\n")
        let thing = try #require(resource.components.first)
        #expect(thing.name == "X-THING")
        #expect(thing.property(named: "URL")?.value == "https://x.org/a;b?c=d:e")
        #expect(thing.property(named: "X-EMPTY")?.value == "")
        #expect(thing.property(named: "X-EMPTY-PARAM")?.parameters == [Parameter(name: "X-P", value: "")])
        #expect(resource.lineEnding == .lf)
    }

    @Test("unfolding joins continuation lines starting with a space or a tab")
    func unfolding() throws {
        let resource = try ICalendarResource(parsing: "BEGIN:VEVENT\r\nSUMMARY:Hel\r\n lo\r\n\t World\r\n  !\r\nEND:VEVENT\r\n")
        #expect(resource.allComponents(named: "VEVENT").first?.property(named: "SUMMARY")?.value == "Hello World !")
        #expect(Folding.unfold("A\r\n B\n\tC\r\nD") == "ABC\r\nD")
    }

    @Test("BEGIN and END match case-insensitively and tolerate trailing whitespace")
    func beginEndCase() throws {
        let text = "begin:vcalendar\r\nBEGIN:VEvent \r\nUID:1\r\nEnd:VEVENT\r\nEND:VCALENDAR\t\r\n"
        let resource = try ICalendarResource(parsing: text)
        #expect(resource.allComponents(named: "VEVENT").count == 1)
        #expect(resource.serializedString() == text)
    }

    @Test("empty input is an empty resource")
    func empty() throws {
        let resource = try ICalendarResource(parsing: "")
        #expect(resource.components.isEmpty)
        #expect(resource.serializedBytes().isEmpty)
    }

    // MARK: Malformed input

    static let malformed: [(String, String, ICalendarError.Code, Int?)] = [
        ("no colon", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY oops\r\nEND:VCALENDAR\r\n", .missingColon, 3),
        ("no colon after params", "BEGIN:VCALENDAR\r\nX-A;P=1\r\nEND:VCALENDAR\r\n", .missingColon, 2),
        ("empty name", "BEGIN:VCALENDAR\r\n:value\r\nEND:VCALENDAR\r\n", .emptyName, 2),
        ("parameter without =", "BEGIN:VCALENDAR\r\nX-A;RSVP:x\r\nEND:VCALENDAR\r\n", .malformedParameter, 2),
        ("junk after quote", "BEGIN:VCALENDAR\r\nX-A;CN=\"a\"b:x\r\nEND:VCALENDAR\r\n", .malformedParameter, 2),
        ("unterminated quote", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nATTENDEE;CN=\"Bob:mailto:bob@x.org\r\nEND:VCALENDAR\r\n", .unterminatedQuote, 3),
        ("unterminated quote over a fold", "BEGIN:VCALENDAR\r\nATTENDEE;CN=\"Bo\r\n b:mailto:bob@x.org\r\nEND:VCALENDAR\r\n", .unterminatedQuote, 2),
        ("END without BEGIN", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nEND:VCALENDAR\r\n", .endWithoutBegin, 3),
        ("mismatched END", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", .mismatchedEnd, 4),
        ("unterminated component", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\n", .unterminatedComponent, 1),
        ("property outside component", "VERSION:2.0\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", .propertyOutsideComponent, 1),
        ("continuation at start", " VERSION:2.0\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", .unexpectedContinuation, 1),
        ("continuation after blank line", "BEGIN:VCALENDAR\r\n\r\n X\r\nEND:VCALENDAR\r\n", .unexpectedContinuation, 3),
    ]

    @Test("malformed input fails with a typed error naming the line", arguments: 0..<malformed.count)
    func malformedInput(index: Int) {
        let (label, text, code, line) = Self.malformed[index]
        do {
            _ = try ICalendarResource(parsing: text)
            Issue.record("\(label): parsed without error")
        } catch {
            #expect(error.code == code, "\(label)")
            #expect(error.lineNumber == line, "\(label)")
            #expect(error.description.contains("line"), "\(label)")
        }
    }

    @Test("nesting depth is limited")
    func nestingLimit() {
        let depth = 40
        let text = (0..<depth).map { "BEGIN:X-\($0)\r\n" }.joined() + (0..<depth).reversed().map { "END:X-\($0)\r\n" }.joined()
        #expect(throws: ICalendarError.self) { try ICalendarResource(parsing: text) }
        do {
            _ = try ICalendarResource(parsing: text)
        } catch {
            #expect(error.code == .nestingTooDeep)
            #expect(error.lineNumber == 33)
        }
        let limits = ICalendarResource.ParsingLimits(maximumNestingDepth: 64, maximumLineCount: 1_000, maximumContentLineLength: 1_000)
        #expect(throws: Never.self) { try ICalendarResource(parsing: text, limits: limits) }
    }

    @Test("line count and content line length are limited")
    func lineLimits() {
        let limits = ICalendarResource.ParsingLimits(maximumNestingDepth: 8, maximumLineCount: 10, maximumContentLineLength: 100)
        let many = "BEGIN:VCALENDAR\r\n" + String(repeating: "X-A:1\r\n", count: 20) + "END:VCALENDAR\r\n"
        do {
            _ = try ICalendarResource(parsing: many, limits: limits)
            Issue.record("no error")
        } catch {
            #expect(error.code == .tooManyLines)
            #expect(error.lineNumber == 11)
        }
        let long = "BEGIN:VCALENDAR\r\nX-A:" + String(repeating: "a", count: 70) + "\r\n" + String(repeating: " bbbbbbbbbb\r\n", count: 5) + "END:VCALENDAR\r\n"
        do {
            _ = try ICalendarResource(parsing: long, limits: limits)
            Issue.record("no error")
        } catch {
            #expect(error.code == .lineTooLong)
            #expect(error.lineNumber == 2)
        }
    }

    @Test("hostile deep nesting fails fast without recursion")
    func hostileNesting() {
        let text = String(repeating: "BEGIN:A\n", count: 100_000)
        #expect(throws: ICalendarError.self) { try ICalendarResource(parsing: text) }
    }
}
