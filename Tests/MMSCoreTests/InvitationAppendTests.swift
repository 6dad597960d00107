import Foundation
import MMSCore
import Testing

/// Adding a block to a new meeting's body (issue 9, M3): the body's own line ending, and inside
/// an HTML document's `<body>`, with every byte of the body kept.
@Suite("Invitation block: adding one to a new body")
struct InvitationAppendTests {
    typealias F = InvitationFixtures

    /// Every line break of `text`, as CRLF (true) or bare LF (false).
    func lineBreaks(_ text: String) -> [Bool] {
        let bytes = Array(text.utf8)
        return bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 > 0 && bytes[$0 - 1] == 0x0D }
    }

    @Test("Issue 9: a CRLF plain-text body gets a CRLF block, so the result has one line ending", arguments: [F.teamsDetails, F.skypeOnlineDetails])
    func crlfPlainText(details: JoinDetails) {
        let body = "Agenda:\r\n- budget\r\n- café ☕"
        let result = InvitationBlock.appending(details, to: body, format: .plainText)
        #expect(result.hasPrefix(body + "\r\n\r\n"))
        #expect(!lineBreaks(result).isEmpty && lineBreaks(result).allSatisfy { $0 }, "every line break is CRLF")
        let blocks = InvitationBlock.find(in: result, format: .plainText)
        #expect(blocks.count == 1 && blocks.first?.kind == details.kind)
    }

    @Test("Issue 9: an LF body, or one with no line break, gets an LF block")
    func lfPlainText() {
        for body in ["Agenda:\n- budget", "one line"] {
            let result = InvitationBlock.appending(F.teamsDetails, to: body, format: .plainText)
            #expect(result.hasPrefix(body + "\n\n"))
            #expect(lineBreaks(result).allSatisfy { !$0 })
        }
        #expect(InvitationBlock.appending(F.teamsDetails, to: "", format: .plainText) == InvitationBlock.render(F.teamsDetails, format: .plainText))
    }

    @Test("Issue 9: in a full HTML document the block goes inside <body>, before </body>, never after </html>")
    func fullHTMLDocument() throws {
        let head = "<html><head><meta charset=\"utf-8\"></head>\r\n<BODY class=\"x\">\r\n<p>Agenda: 会議</p>"
        let tail = "</Body>\r\n</html>\r\n"
        let result = InvitationBlock.appending(F.teamsDetails, to: head + tail, format: .html)
        #expect(result.hasPrefix(head + "\r\n"), "the body before the block is kept, then a line break")
        #expect(result.hasSuffix("\r\n" + tail), "the closing tags follow the block, untouched")
        let blocks = InvitationBlock.find(in: result, format: .html)
        let block = try #require(blocks.first)
        let closeBody = try #require(result.utf8.count - tail.utf8.count as Int?)
        #expect(block.utf8Range.upperBound <= closeBody, "the block ends before </body>")
        #expect(lineBreaks(result).allSatisfy { $0 }, "the document's CRLF is kept in the block")
    }

    @Test("Issue 9: an HTML document with </html> but no </body> gets the block before </html>; a fragment gets it at its end")
    func htmlWithoutBody() {
        let document = "<html><p>hi</p>\n</html>"
        let result = InvitationBlock.appending(F.skypeOnlineDetails, to: document, format: .html)
        #expect(result.hasPrefix("<html><p>hi</p>\n") && result.hasSuffix("\n</html>"))
        let fragment = "<p>Agenda</p>"
        let appended = InvitationBlock.appending(F.skypeOnlineDetails, to: fragment, format: .html)
        #expect(appended == fragment + "\n" + InvitationBlock.render(F.skypeOnlineDetails, format: .html))
    }

    @Test("Issue 9: '</bodyguard>' and '</body' inside the text are not the closing tag")
    func notTheClosingTag() {
        let body = "<p>see </bodyguard> notes</p>"
        let result = InvitationBlock.appending(F.teamsDetails, to: body, format: .html)
        #expect(result.hasPrefix(body + "\n"))
    }
}
