import Foundation
import Testing
@testable import MMSICalendar

@Suite("Round trip: an unmodified tree serializes to the input, byte for byte")
struct RoundTripTests {
    static let inputs: [(String, [UInt8])] = {
        var cases: [(String, String)] = [
            ("meeting fixture (CRLF, folded base64, VTIMEZONE, VALARM)", Fixtures.meeting),
            ("LF-only endings", Fixtures.meeting.replacingOccurrences(of: "\r\n", with: "\n")),
            ("missing final newline", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR"),
            ("missing final newline, LF", "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR"),
            ("final lone CR", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r"),
            ("mixed CRLF and LF", "BEGIN:VCALENDAR\nVERSION:2.0\r\nPRODID:x\nEND:VCALENDAR\r\n"),
            ("trailing whitespace on values and names", "BEGIN:VCALENDAR  \r\nSUMMARY:trailing spaces   \r\nX-TAB:tab\t\r\nEND:VCALENDAR \r\n"),
            ("blank lines between and after components", "\r\nBEGIN:VCALENDAR\r\n\r\nVERSION:2.0\r\n\r\nEND:VCALENDAR\r\n\r\n\r\n"),
            ("whitespace-only lines before content", "  \r\n\t\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
            ("odd folding: tab continuation, mid-word, one-char lines", "BEGIN:VEVENT\r\nSUMMARY:a\r\n\tb\r\n c\r\n \r\n  d\r\nDESCRIPTION;\r\n X-P=1:\r\n v\r\nEND:VEVENT\r\n"),
            ("fold inside a quoted parameter", "BEGIN:VEVENT\r\nATTENDEE;CN=\"Jean\r\n  Dupont\";RSVP=TRUE:mailto:j@x.org\r\nEND:VEVENT\r\n"),
            ("non-ASCII: accents, CJK, emoji, combining marks", "BEGIN:VEVENT\r\nSUMMARY:Réunion 会议 🎉👩‍👩‍👧 e\u{301}\u{302}\r\nLOCATION:Zürich – Salle « Ω »\r\nEND:VEVENT\r\n"),
            ("unknown X- components and nesting", "BEGIN:VCALENDAR\r\nBEGIN:X-OUTER\r\nX-A;X-B=\"1,2\":3\r\nBEGIN:X-INNER\r\nX-C:4\r\nEND:X-INNER\r\nEND:X-OUTER\r\nEND:VCALENDAR\r\n"),
            ("lower-case names", "begin:vcalendar\r\nversion:2.0\r\nbegin:vevent\r\ndtstart;tzid=europe/paris:20260101T100000\r\nend:vevent\r\nend:vcalendar\r\n"),
            ("two top-level calendars", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
            ("empty", ""),
            ("only blank lines", "\r\n\n\r\n"),
            ("long lines never folded by the producer", "BEGIN:VEVENT\r\nDESCRIPTION:" + String(repeating: "0123456789", count: 50) + "\r\nEND:VEVENT\r\n"),
        ]
        cases.append(("many events", "BEGIN:VCALENDAR\r\n" + (0..<200).map { "BEGIN:VEVENT\r\nUID:\($0)\r\nSUMMARY:Event \($0)\r\nEND:VEVENT\r\n" }.joined() + "END:VCALENDAR\r\n"))
        var result = cases.map { ($0.0, Array($0.1.utf8)) }
        // Bytes that are not valid UTF-8 are kept verbatim too.
        result.append(("invalid UTF-8 bytes", Array("BEGIN:VEVENT\r\nSUMMARY:".utf8) + [0xFF, 0xFE, 0xC3, 0x28, 0x80] + Array("\r\nEND:VEVENT\r\n".utf8)))
        result.append(("fold splitting a UTF-8 sequence (as some broken producers do)",
                       Array("BEGIN:VEVENT\r\nSUMMARY:caf".utf8) + [0xC3] + Array("\r\n ".utf8) + [0xA9] + Array("\r\nEND:VEVENT\r\n".utf8)))
        result.append(("UTF-8 BOM-less Latin-1 text", Array("BEGIN:VEVENT\nSUMMARY:caf".utf8) + [0xE9] + Array("\nEND:VEVENT\n".utf8)))
        return result
    }()

    @Test("byte-identical round trip", arguments: 0..<inputs.count)
    func roundTrip(index: Int) throws {
        let (label, bytes) = Self.inputs[index]
        let resource = try ICalendarResource(parsing: bytes)
        #expect(resource.serializedBytes() == bytes, "\(label)")
        #expect(try ICalendarResource(parsing: Data(bytes)).serializedData() == Data(bytes), "\(label)")
    }

    @Test("byte-identical round trip of seeded random resources")
    func randomRoundTrip() throws {
        var generator = SeededGenerator(seed: 20_261_201)
        let pieces = ["a", "Z", " ", "\t", ":", ";", ",", "\"", "=", "\\", "é", "会", "🎉", "\u{301}", "-", "0"]
        for _ in 0..<300 {
            let ending = Bool.random(using: &generator) ? "\r\n" : "\n"
            var text = "BEGIN:VCALENDAR" + ending
            for _ in 0..<Int.random(in: 0...8, using: &generator) {
                var value = ""
                for _ in 0..<Int.random(in: 0...120, using: &generator) { value += pieces.randomElement(using: &generator)! }
                // Filter scalars, not Characters: a quote followed by a combining mark is one Character.
                value = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != "\"" }))
                let quoted = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != ";" }))
                var line = "X-P\(Int.random(in: 0...9, using: &generator));X-Q=\"\(quoted)\":\(value)"
                if Bool.random(using: &generator) {
                    line = Folding.fold(line, lineEnding: ending == "\n" ? .lf : .crlf)
                    text += line
                } else {
                    text += line + ending
                }
                if Int.random(in: 0..<5, using: &generator) == 0 { text += ending }
            }
            text += "END:VCALENDAR" + (Bool.random(using: &generator) ? ending : "")
            let resource = try #require(try? ICalendarResource(parsing: text), "\(text.debugDescription)")
            #expect(resource.serializedString() == text)
        }
    }
}

/// SplitMix64: a small deterministic generator for seeded tests.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
