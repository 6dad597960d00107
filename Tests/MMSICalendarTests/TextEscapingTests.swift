import Testing
@testable import MMSICalendar

@Suite("TEXT escaping")
struct TextEscapingTests {
    @Test("escape \\ ; , and line breaks")
    func escape() {
        #expect(TextEscaping.escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne")
        #expect(TextEscaping.escape("l1\r\nl2\rl3\nl4") == "l1\\nl2\\nl3\\nl4")
        #expect(TextEscaping.escape("colon: stays") == "colon: stays")
        #expect(TextEscaping.escape("") == "")
    }

    @Test("unescape \\\\ \\; \\, \\n \\N, leniently")
    func unescape() {
        #expect(TextEscaping.unescape("a\\\\b\\;c\\,d\\ne\\Nf") == "a\\b;c,d\ne\nf")
        #expect(TextEscaping.unescape("odd\\: escape") == "odd: escape")
        #expect(TextEscaping.unescape("trailing\\") == "trailing\\")
        #expect(TextEscaping.unescape("\\\\n") == "\\n")
    }

    @Test("round trip of arbitrary text", arguments: [
        "", "plain", "a;b,c\\d", "multi\nline\n\ntext", "ünïcødé 会议 🎉", "\\n literally", "ends with backslash\\",
    ])
    func roundTrip(text: String) {
        #expect(TextEscaping.unescape(TextEscaping.escape(text)) == text)
    }

    @Test("lists split on unescaped commas only")
    func lists() {
        #expect(TextEscaping.splitList("MEETING,a\\,b,c\\\\,d") == ["MEETING", "a,b", "c\\", "d"])
        #expect(TextEscaping.joinList(["x,y", "z"]) == "x\\,y,z")
        #expect(TextEscaping.splitList(TextEscaping.joinList(["1;2", "3,4", "5\\"])) == ["1;2", "3,4", "5\\"])
    }

    @Test("Property.textValue unescapes and escapes")
    func propertyText() {
        var property = Property(name: "DESCRIPTION", value: "a\\nb\\, c")
        #expect(property.textValue == "a\nb, c")
        property.textValue = "x;y"
        #expect(property.value == "x\\;y")
    }

    @Test("mailto calendar addresses")
    func calendarAddress() {
        #expect(CalendarAddress.emailAddress(fromCalendarAddress: "mailto:jane@example.com") == "jane@example.com")
        #expect(CalendarAddress.emailAddress(fromCalendarAddress: "MAILTO:Jane@Example.com") == "Jane@Example.com")
        #expect(CalendarAddress.emailAddress(fromCalendarAddress: " mailto:x@y.z ") == "x@y.z")
        #expect(CalendarAddress.emailAddress(fromCalendarAddress: "urn:uuid:1234") == nil)
        #expect(CalendarAddress.emailAddress(fromCalendarAddress: "mailto:") == nil)
        #expect(CalendarAddress.calendarAddress(forEmailAddress: "a@b.c") == "mailto:a@b.c")
    }
}
