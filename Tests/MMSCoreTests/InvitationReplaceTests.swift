import MMSCore
import Testing

/// Replacing a block: only the block changes (M3), the meeting-notes link goes with it (M6).
@Suite("Invitation block: replacing")
struct InvitationReplaceTests {
    typealias F = InvitationFixtures

    /// Replaces the single block of `prefix + block + suffix` and checks that the result is
    /// exactly `prefix + render(details) + suffix`, byte for byte, with `lineBreak` in the new block.
    func expectReplaced(
        prefix: String, block: String, suffix: String, format: BodyFormat, details: JoinDetails,
        lineBreak: String = "\n", sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let body = prefix + block + suffix
        let found = InvitationBlock.find(in: body, format: format)
        #expect(found.count == 1, sourceLocation: sourceLocation)
        guard let old = found.first else { return }
        let result = InvitationBlock.replacing(old, in: body, with: details, format: format)
        var rendered = InvitationBlock.render(details, format: format)
        if lineBreak == "\r\n" { rendered = crlf(rendered) }
        expectSameBytes(utf8(result), utf8(prefix) + utf8(rendered) + utf8(suffix), sourceLocation: sourceLocation)
        let again = InvitationBlock.find(in: result, format: format)
        #expect(again.map(\.joinURL) == [details.joinURL], sourceLocation: sourceLocation)
        #expect(again.first?.utf8Range == expectedRange(prefix: prefix, block: rendered), sourceLocation: sourceLocation)
    }

    @Test("M3: only the block is replaced; every byte before and after it is kept (Microsoft layouts, both formats)")
    func onlyBlockReplaced() {
        expectReplaced(prefix: "<html><body><p>Agenda: Q3 review</p>\n", block: F.teamsHTML, suffix: "\n<p>Thanks!</p></body></html>",
                       format: .html, details: F.teamsDetails)
        expectReplaced(prefix: "<p>Weekly sync</p>\n" + F.teamsHTMLNewerWrapperOpen, block: F.teamsHTMLNewerBlock,
                       suffix: F.teamsHTMLNewerWrapperClose, format: .html, details: F.teamsDetails)
        expectReplaced(prefix: "Hi team,\n\n", block: F.teamsTextNewer, suffix: "\n\n-- \nAlice\n", format: .plainText,
                       details: F.teamsDetails)
        expectReplaced(prefix: "<div class=WordSection1>\n", block: F.skypeOnlineHTML, suffix: "\n</div>", format: .html,
                       details: F.teamsDetails)
        expectReplaced(prefix: "Status\n", block: F.skypeOnlineText, suffix: "\n", format: .plainText, details: F.teamsDetails)
    }

    @Test("M3: Skype on-premises to Skype online (target Current) and Teams to Teams with new dial-in details")
    func sameKindRefresh() {
        expectReplaced(prefix: "<div>Budget</div>", block: F.lyncOnPremisesHTML, suffix: "<div>Bye</div>", format: .html,
                       details: F.skypeOnlineDetails)
        expectReplaced(prefix: "", block: F.teamsText, suffix: "", format: .plainText,
                       details: JoinDetails(kind: .teams, joinURL: F.teamsJoinURL, conferenceId: "881 004 213#",
                                            dialInNumbers: [DialInNumber(number: "+442034433000", label: "United Kingdom, London (Toll)")]))
    }

    @Test("M3: edits a user made inside the block are overwritten")
    func editsInsideBlockOverwritten() {
        let edited = F.teamsText.replacing("Or call in (audio only)", with: "Or call in (audio only) -- PLEASE USE THE SECOND NUMBER, Bob")
        let body = "Before\n" + edited + "\nAfter"
        let found = InvitationBlock.find(in: body, format: .plainText)
        #expect(found.count == 1)
        guard let block = found.first else { return }
        let result = utf8(InvitationBlock.replacing(block, in: body, with: F.teamsDetails, format: .plainText))
        #expect(!containsBytes(result, "PLEASE USE THE SECOND NUMBER"))
        #expect(!containsBytes(result, F.teamsJoinURL))
        #expect(containsBytes(result, F.otherTeamsJoinURL))
        #expect(Array(result.prefix(7)) == utf8("Before\n") && Array(result.suffix(6)) == utf8("\nAfter"))
    }

    @Test("M3: a CRLF body keeps its CRLF bytes outside, and the new block uses CRLF too")
    func crlfBody() {
        expectReplaced(prefix: "Hello\r\n\r\n", block: crlf(F.teamsText), suffix: "\r\nBye\r\n", format: .plainText,
                       details: F.teamsDetails, lineBreak: "\r\n")
        expectReplaced(prefix: "<BODY>\r\n<P>Hello all,</P>\r\n", block: F.teamsHTMLJoinLayoutCRLF, suffix: "\r\n</BODY>",
                       format: .html, details: F.skypeOnlineDetails, lineBreak: "\r\n")
        // A one-line HTML block takes the body's line breaks.
        let oneLine = "<div>\(F.underscores80)</div><div>Microsoft Teams <a href=\"\(F.teamsJoinURL)\">Join</a></div><div>\(F.underscores80)</div>"
        expectReplaced(prefix: "<p>a</p>\r\n", block: oneLine, suffix: "\r\n", format: .html, details: F.teamsDetails, lineBreak: "\r\n")
        expectReplaced(prefix: "<p>a</p>", block: oneLine, suffix: "", format: .html, details: F.teamsDetails, lineBreak: "\n")
    }

    @Test("M3: inline images, cid: references and data: URIs outside the block are kept byte for byte")
    func inlineAttachmentsKept() {
        let image = "<img src=\"cid:image001.png@01DA1B2C.3D4E5F60\" width=\"120\"><img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==\">"
        let attachmentList = "\n<p>Attached: <a href=\"https://contoso.sharepoint.com/:x:/r/sites/fin/Budget%20Q3.xlsx?d=w1&amp;csf=1\">Budget Q3.xlsx</a></p>"
        expectReplaced(prefix: "<p>" + image + "</p>\n", block: F.teamsHTML, suffix: attachmentList, format: .html,
                       details: F.teamsDetails)
    }

    @Test("M3: with two blocks, replacing the second leaves the first, and everything around, untouched")
    func secondOfTwoBlocks() {
        let prefix = "Part 1\n" + F.teamsText + "\nPart 2\n"
        let body = prefix + F.skypeOnlineText + "\nEnd"
        let found = InvitationBlock.find(in: body, format: .plainText)
        #expect(found.count == 2)
        guard found.count == 2 else { return }
        let result = InvitationBlock.replacing(found[1], in: body, with: F.teamsDetails, format: .plainText)
        expectSameBytes(utf8(result), utf8(prefix) + utf8(InvitationBlock.render(F.teamsDetails, format: .plainText)) + utf8("\nEnd"))
        #expect(InvitationBlock.find(in: result, format: .plainText).map(\.joinURL) == [F.teamsJoinURL, F.otherTeamsJoinURL])
    }

    @Test("M3: blocks at the very start and the very end of the body")
    func blocksAtEdges() {
        expectReplaced(prefix: "", block: F.teamsHTML, suffix: "", format: .html, details: F.skypeOnlineDetails)
        expectReplaced(prefix: "", block: F.teamsText, suffix: "\nP.S.", format: .plainText, details: F.teamsDetails)
        expectReplaced(prefix: "Hi\n", block: F.skypeOnlineText, suffix: "", format: .plainText, details: F.teamsDetails)
    }

    @Test("M3: replacing our own block again with the same details changes nothing")
    func replacingIsStable() {
        let body = "<p>Hi</p>\n" + InvitationBlock.render(F.teamsDetails, format: .html) + "\n<p>Bye</p>"
        let found = InvitationBlock.find(in: body, format: .html)
        #expect(found.count == 1)
        guard let block = found.first else { return }
        expectSameBytes(utf8(InvitationBlock.replacing(block, in: body, with: F.teamsDetails, format: .html)), utf8(body))
    }

    @Test("M6: the meeting-notes link inside the block is replaced with the rest of the block")
    func meetingNotesLinkReplaced() {
        let notes = "https://contoso.sharepoint.com/sites/team/SiteAssets/Team%20Notebook/Meeting%20Notes.one#Q3%20review"
        let skypeWithNotes = F.skypeOnlineHTML.replacing(
            "<p class=MsoNormal><span>Join by phone",
            with: "<p class=MsoNormal><a href=\"\(notes)\">Meeting notes</a><o:p></o:p></p>\n<p class=MsoNormal><span>Join by phone")
        let teamsWithNotes = F.teamsText.replacing("Or call in (audio only)", with: "Meeting notes<\(notes)>\nOr call in (audio only)")
        for (block, format) in [(skypeWithNotes, BodyFormat.html), (teamsWithNotes, .plainText)] {
            #expect(containsBytes(utf8(block), notes))
            let body = "Intro\n" + block + "\nOutro"
            let found = InvitationBlock.find(in: body, format: format)
            #expect(found.count == 1)
            guard let old = found.first else { continue }
            let result = utf8(InvitationBlock.replacing(old, in: body, with: F.teamsDetails, format: format))
            #expect(!containsBytes(result, notes))
            #expect(!containsBytes(result, "Meeting notes"))
            expectSameBytes(result, utf8("Intro\n") + utf8(InvitationBlock.render(F.teamsDetails, format: format)) + utf8("\nOutro"))
        }
    }

    @Test("M6: a notes link the user put outside the block stays")
    func meetingNotesOutsideKept() {
        let notes = "<p>Notes: <a href=\"https://contoso.sharepoint.com/sites/team/Meeting%20Notes.one\">Meeting notes</a></p>\n"
        expectReplaced(prefix: notes, block: F.teamsHTML, suffix: "\n" + notes, format: .html, details: F.teamsDetails)
    }
}
