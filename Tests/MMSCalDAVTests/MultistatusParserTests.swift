import Foundation
@testable import MMSCalDAV
import Testing

/// The multistatus parser on the bodies that crash Foundation's XMLParser on Linux (found by
/// Fuzz/, multistatus target; Fuzz/Regressions/multistatus): refused with a reason, the process alive.
@Suite("Multistatus parser")
struct MultistatusParserTests {
    @Test("An element name that is not UTF-8 is refused, not handed to XMLParser (which traps)")
    func nonUTF8Name() {
        #expect(throws: MultistatusParser.Failure.self) { try MultistatusParser.parse(Data([0x3C, 0xFF, 0xFF, 0xFF, 0xFF])) }
        let latin1 = Data("<?xml version='1.0'?><multistatus xmlns='DAV:'><response><href>/caf\u{E9}</href></response></multistatus>".utf8.map { $0 == 0xC3 ? 0xE9 : $0 }.filter { $0 != 0xA9 })
        #expect(throws: MultistatusParser.Failure.self) { try MultistatusParser.parse(latin1) }
    }

    @Test("A processing instruction without data is refused, not handed to XMLParser (which reads a null pointer)")
    func emptyProcessingInstruction() throws {
        for body in ["<?x?><multistatus xmlns='DAV:'/>", "<multistatus xmlns='DAV:'><?php?></multistatus>"] {
            #expect(throws: MultistatusParser.Failure.self) { try MultistatusParser.parse(Data(body.utf8)) }
        }
        // The XML declaration and instructions with data still parse.
        let body = "<?xml version='1.0' encoding='utf-8'?><?style x?><multistatus xmlns='DAV:'><response><href>/a.ics</href></response></multistatus>"
        #expect(try MultistatusParser.parse(Data(body.utf8)).map(\.href) == ["/a.ics"])
    }
}
