import Testing
@testable import MMSICalendar

@Suite("Folding")
struct FoldingTests {
    /// Physical lines of folded text, without their line endings.
    private func physicalLines(_ folded: String, ending: String = "\r\n") -> [[UInt8]] {
        var lines = folded.components(separatedBy: ending)
        #expect(lines.last == "")
        lines.removeLast()
        return lines.map { Array($0.utf8) }
    }

    private func checkFolding(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let folded = Folding.fold(line)
        let lines = physicalLines(folded)
        for (index, physical) in lines.enumerated() {
            #expect(physical.count <= 75, "line \(index) has \(physical.count) octets", sourceLocation: sourceLocation)
            #expect(isValidUTF8(physical), "line \(index) splits a UTF-8 character", sourceLocation: sourceLocation)
            if index > 0 {
                #expect(physical.first == 0x20, sourceLocation: sourceLocation)
                #expect(physical.count > 1, "empty continuation", sourceLocation: sourceLocation)
            }
        }
        #expect(Folding.unfold(folded) == line + "\r\n", sourceLocation: sourceLocation)
        // And the parser reads it back identically.
        let resource = try? ICalendarResource(parsing: "BEGIN:X\r\n" + folded + "END:X\r\n")
        #expect(resource?.components.first?.properties.first?.contentLine == line, sourceLocation: sourceLocation)
    }

    @Test("short lines are not folded")
    func short() {
        #expect(Folding.fold("SUMMARY:Hello") == "SUMMARY:Hello\r\n")
        #expect(Folding.fold("SUMMARY:Hello", lineEnding: .lf) == "SUMMARY:Hello\n")
        let exactly75 = "X:" + String(repeating: "a", count: 73)
        #expect(Folding.fold(exactly75) == exactly75 + "\r\n")
    }

    @Test("ASCII folds at exactly 75 octets, continuation lines carry one space and 74 octets")
    func ascii() {
        let line = "DESCRIPTION:" + String(repeating: "x", count: 200)
        let lines = physicalLines(Folding.fold(line))
        #expect(lines.map(\.count) == [75, 75, 64])
        checkFolding(line)
    }

    @Test("multi-byte characters across the boundary are never split", arguments: [
        "é", "会", "🎉", "👩‍👩‍👧", "e\u{301}", "\u{1F1EB}\u{1F1F7}", "ǅ", "\u{10FFFF}",
    ])
    func multibyte(character: String) {
        // Shift the character across every position around the 75- and 150-octet boundaries.
        for prefixLength in 60...80 {
            let line = "SUMMARY:" + String(repeating: "a", count: prefixLength) + String(repeating: character, count: 40)
            checkFolding(line)
        }
    }

    @Test("CJK, emoji and combining marks in long text")
    func mixed() {
        let text = "DESCRIPTION:" + String(repeating: "会议室🎉 Ångström e\u{301}\u{302}\u{303} ", count: 30)
        checkFolding(text)
    }

    @Test("a long combining sequence is folded between scalars, which unfolding rejoins")
    func combiningSequence() {
        let line = "SUMMARY:" + String(repeating: "a", count: 66) + "e" + String(repeating: "\u{301}", count: 20)
        checkFolding(line)
    }
}
