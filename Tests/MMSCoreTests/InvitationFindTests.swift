import MMSCore
import Testing

/// Recognising online-meeting blocks: which layouts count as a block, where a block
/// starts and ends, and the join URL that identifies its meeting (M4 relies on it).
@Suite("Invitation block: find")
struct InvitationFindTests {
    typealias F = InvitationFixtures

    /// Finds exactly one block in `prefix + block + suffix` and checks its range and identity.
    func expectSingleBlock(
        prefix: String, block: String, suffix: String, format: BodyFormat,
        kind: MeetingKind, url: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let body = prefix + block + suffix
        let found = InvitationBlock.find(in: body, format: format)
        #expect(found.count == 1, "found \(found.count) blocks", sourceLocation: sourceLocation)
        guard let first = found.first else { return }
        #expect(first.kind == kind, sourceLocation: sourceLocation)
        #expect(utf8(first.joinURL) == utf8(url), "join URL \(first.joinURL)", sourceLocation: sourceLocation)
        #expect(first.utf8Range == expectedRange(prefix: prefix, block: block), sourceLocation: sourceLocation)
    }

    @Test("M4: Teams HTML (Graph layout) is found whole, with its meetup-join URL as identity")
    func teamsHTMLGraphLayout() {
        expectSingleBlock(
            prefix: "<html><body><div>Agenda: Q3 review</div>\n<div><br></div>\n", block: F.teamsHTML,
            suffix: "\n</body></html>", format: .html, kind: .teams, url: F.teamsJoinURL)
    }

    @Test("M4: Teams HTML 'Join Microsoft Teams Meeting' layout: CRLF, upper-case tags, single quotes, other attribute order and separator lengths")
    func teamsHTMLJoinLayoutVariations() {
        expectSingleBlock(
            prefix: "<BODY>\r\n<P>Hello all,</P>\r\n", block: F.teamsHTMLJoinLayoutCRLF,
            suffix: "\r\n</BODY>", format: .html, kind: .teams, url: F.teamsJoinURL)
    }

    @Test("M4: Teams HTML newer layout (Meeting ID, Passcode, Join on the web): the block between the frame lines, the wrapper left around it")
    func teamsHTMLNewerLayout() {
        expectSingleBlock(
            prefix: "<p>Weekly sync</p>\n" + F.teamsHTMLNewerWrapperOpen, block: F.teamsHTMLNewerBlock,
            suffix: F.teamsHTMLNewerWrapperClose, format: .html, kind: .teams, url: F.teamsJoinURL)
    }

    @Test("M4: Teams plain text, classic layout")
    func teamsTextClassic() {
        expectSingleBlock(
            prefix: "Hi team,\n\nSee you there.\n\n", block: F.teamsText, suffix: "\n\nThanks\n",
            format: .plainText, kind: .teams, url: F.teamsJoinURL)
    }

    @Test("M4: Teams plain text, newer layout: the short rule inside does not end the block")
    func teamsTextNewer() {
        expectSingleBlock(
            prefix: "Agenda\n", block: F.teamsTextNewer, suffix: "\n", format: .plainText, kind: .teams, url: F.teamsJoinURL)
    }

    @Test("M4: Teams plain text with a full-length rule before the dial-in part: one block")
    func teamsTextFullRuleInside() {
        expectSingleBlock(
            prefix: "", block: F.teamsTextFullRuleInside, suffix: "\nBring slides.", format: .plainText,
            kind: .teams, url: F.teamsJoinURL)
    }

    @Test("M4: Teams plain text with CRLF: the range stops before the last line break")
    func teamsTextCRLF() {
        expectSingleBlock(
            prefix: "Hi\r\n", block: crlf(F.teamsText), suffix: "\r\nBye\r\n", format: .plainText,
            kind: .teams, url: F.teamsJoinURL)
    }

    @Test("M4: Skype for Business online HTML (Word markup): skypeOnline, URL without sl=1")
    func skypeOnlineHTML() {
        expectSingleBlock(
            prefix: "<div class=WordSection1>\n<p class=MsoNormal>Let's meet.<o:p></o:p></p>\n", block: F.skypeOnlineHTML,
            suffix: "\n<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n</div>", format: .html, kind: .skypeOnline, url: F.skypeOnlineURL)
    }

    @Test("M4: Lync on-premises HTML ('Join Lync Meeting' on meet.contoso.com): skypeOnPremises")
    func lyncOnPremisesHTML() {
        expectSingleBlock(
            prefix: "<div>Budget</div>", block: F.lyncOnPremisesHTML, suffix: "", format: .html,
            kind: .skypeOnPremises, url: F.lyncOnPremisesURL)
    }

    @Test("M4: Skype plain text with CRLF, the [!OC] marker inside the block")
    func skypeOnlineTextCRLF() {
        expectSingleBlock(
            prefix: "Status call\r\n\r\n", block: crlf(F.skypeOnlineText), suffix: "\r\n", format: .plainText,
            kind: .skypeOnline, url: F.skypeOnlineURL)
    }

    @Test("M4: a Skype block that kept only the Web App link: identity without sl=1")
    func skypeWebAppLinkOnly() {
        let block = """
        \(F.periods136)
        Trouble Joining? Try Skype Web App<\(F.skypeOnlineURL)?sl=1>
        Conference ID: 84412307
        \(F.periods136)
        """
        expectSingleBlock(prefix: "x\n", block: block, suffix: "", format: .plainText, kind: .skypeOnline, url: F.skypeOnlineURL)
    }

    @Test("M4: Lync simple URL of the /meet/ form on-premises")
    func lyncMeetPathSimpleURL() {
        let url = "https://lync.fabrikam.com/meet/carol/9QW3ZK1D"
        let block = "\(F.periods136)\nJoin online meeting\n<\(url)>\nJoin by phone\n\(F.periods136)"
        expectSingleBlock(prefix: "", block: block, suffix: "", format: .plainText, kind: .skypeOnPremises, url: url)
    }

    @Test("M4: character references in the join link are decoded (&amp; becomes &)")
    func htmlReferencesDecoded() {
        let block = """
        <div>\(F.underscores80)</div>
        <div>Microsoft Teams meeting</div>
        <div><a href="https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d&amp;anon=true&#38;x=1">Join</a></div>
        <div>\(F.underscores80)</div>
        """
        expectSingleBlock(
            prefix: "", block: block, suffix: "", format: .html, kind: .teams,
            url: "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d&anon=true&x=1")
    }

    @Test("Separator lines are recognised with trailing spaces, no-break spaces and lengths from 40 to 240")
    func separatorTolerance() {
        for length in [40, 60, 120, 240] {
            let line = String(repeating: "_", count: length)
            let block = "  \(line) \u{00A0}\nMicrosoft Teams meeting\nJoin<\(F.teamsJoinURL)>\n\(line)\t"
            expectSingleBlock(prefix: "a\n", block: block, suffix: "\nb", format: .plainText, kind: .teams, url: F.teamsJoinURL)
        }
        let htmlBlock = "<div>&nbsp;\(F.underscores80)&nbsp;</div><div>Microsoft Teams meeting <a href=\"\(F.teamsJoinURL)\">Join</a></div><div>\(F.underscores80)</div>"
        expectSingleBlock(prefix: "<p>x</p>", block: htmlBlock, suffix: "<p>y</p>", format: .html, kind: .teams, url: F.teamsJoinURL)
    }

    @Test("Lines too short or too long to be frame lines do not make a block")
    func separatorLengthBounds() {
        for length in [39, 241] {
            let line = String(repeating: "_", count: length)
            let body = "\(line)\nMicrosoft Teams meeting\nJoin<\(F.teamsJoinURL)>\n\(line)"
            #expect(InvitationBlock.find(in: body, format: .plainText).isEmpty, "length \(length)")
        }
    }

    @Test("A user's own rule above the block does not pull the user's text into the block")
    func userRuleAboveBlock() {
        let prefix = "Notes\n\(F.underscores80)\nBring the Microsoft Teams roadmap.\n\n"
        expectSingleBlock(prefix: prefix, block: F.teamsText, suffix: "\n", format: .plainText, kind: .teams, url: F.teamsJoinURL)
    }

    @Test("Two blocks in one body, Teams then Skype, in order and with their own URLs")
    func twoBlocksDifferentKinds() {
        let body = "Part 1\n" + F.teamsText + "\nPart 2\n" + F.skypeOnlineText + "\nEnd"
        let found = InvitationBlock.find(in: body, format: .plainText)
        #expect(found.map(\.kind) == [.teams, .skypeOnline])
        #expect(found.map(\.joinURL) == [F.teamsJoinURL, F.skypeOnlineURL])
        #expect(found.first?.utf8Range == expectedRange(prefix: "Part 1\n", block: F.teamsText))
        #expect(found.last?.utf8Range == expectedRange(prefix: "Part 1\n" + F.teamsText + "\nPart 2\n", block: F.skypeOnlineText))
    }

    @Test("Two Teams blocks back to back (HTML) are two blocks, not one")
    func twoTeamsBlocksBackToBack() {
        let second = F.teamsHTML.replacing(F.teamsJoinURL, with: F.otherTeamsJoinURL)
        let body = F.teamsHTML + second
        let found = InvitationBlock.find(in: body, format: .html)
        #expect(found.map(\.joinURL) == [F.teamsJoinURL, F.otherTeamsJoinURL])
        #expect(found.first?.utf8Range == expectedRange(prefix: "", block: F.teamsHTML))
        #expect(found.last?.utf8Range == expectedRange(prefix: F.teamsHTML, block: second))
    }

    @Test("A body with no block: nothing found")
    func noBlock() {
        #expect(InvitationBlock.find(in: "", format: .html).isEmpty)
        #expect(InvitationBlock.find(in: "Lunch at noon 🍕", format: .plainText).isEmpty)
        #expect(InvitationBlock.find(in: "<p>Agenda</p><p>\(F.underscores80)</p><p>Kind regards</p>", format: .html).isEmpty)
    }

    @Test("Not a block: a Teams link with no frame, or a frame around wording without a join link")
    func notBlocksTeams() {
        let bareLink = "Last week's recording is in the Microsoft Teams chat: <\(F.teamsJoinURL)>\n"
        #expect(InvitationBlock.find(in: bareLink, format: .plainText).isEmpty)
        let noLink = "\(F.underscores80)\nMicrosoft Teams meeting\nJoin on your computer or mobile app\n\(F.underscores80)"
        #expect(InvitationBlock.find(in: noLink, format: .plainText).isEmpty)
        let noWording = "\(F.underscores80)\nrecording: <\(F.teamsJoinURL)>\n\(F.underscores80)"
        #expect(InvitationBlock.find(in: noWording, format: .plainText).isEmpty)
    }

    @Test("Not a block: look-alike hosts and paths, and URLs in the wrong frame")
    func notBlocksLookAlikes() {
        let fakeHost = "https://teams.microsoft.com.example.net/l/meetup-join/19%3ameeting_abc%40thread.v2/0"
        let notJoin = "https://teams.microsoft.com/l/channel/19%3aabc%40thread.tacv2/General"
        for url in [fakeHost, notJoin] {
            let body = "\(F.underscores80)\nMicrosoft Teams meeting\nJoin<\(url)>\n\(F.underscores80)"
            #expect(InvitationBlock.find(in: body, format: .plainText).isEmpty, "\(url)")
        }
        let teamsInPeriods = "\(F.periods136)\nSkype is retired, use Microsoft Teams<\(F.teamsJoinURL)>\n\(F.periods136)"
        #expect(InvitationBlock.find(in: teamsInPeriods, format: .plainText).isEmpty)
        let skypeInUnderscores = "\(F.underscores80)\nJoin Skype Meeting<\(F.skypeOnlineURL)>\n\(F.underscores80)"
        #expect(InvitationBlock.find(in: skypeInUnderscores, format: .plainText).isEmpty)
        let googleMeet = "\(F.periods136)\nOld Skype room replaced: https://meet.google.com/lookup/abc-defg-hij\n\(F.periods136)"
        #expect(InvitationBlock.find(in: googleMeet, format: .plainText).isEmpty)
        let lyncWithoutKey = "\(F.periods136)\nJoin Skype Meeting<https://meet.lync.com/contoso/alice>\n\(F.periods136)"
        #expect(InvitationBlock.find(in: lyncWithoutKey, format: .plainText).isEmpty)
    }

    @Test("Not a block: a run of underscores inside a sentence or an attribute is not a frame line")
    func runsInsideText() {
        let body = "Sign here: \(F.underscores80) please\nMicrosoft Teams meeting <\(F.teamsJoinURL)>\nName: \(F.underscores80).\n"
        #expect(InvitationBlock.find(in: body, format: .plainText).isEmpty)
        let html = "<img alt=\"\(F.underscores80)\"><p>Microsoft Teams <a href=\"\(F.teamsJoinURL)\">x</a></p><img alt=\"\(F.underscores80)\">"
        #expect(InvitationBlock.find(in: html, format: .html).isEmpty)
    }

    @Test("Plain-text rules do not read HTML markup as frame lines, and HTML bodies with line-based blocks are found")
    func formatsApart() {
        #expect(InvitationBlock.find(in: F.teamsHTML, format: .plainText).isEmpty)
        let htmlWithBreaks = "<p>Hi<br>\n\(F.underscores80)<br>\nMicrosoft Teams meeting<br>\n<a href=\"\(F.teamsJoinURL)\">Join</a><br>\n\(F.underscores80)<br>\nBye</p>"
        let found = InvitationBlock.find(in: htmlWithBreaks, format: .html)
        #expect(found.map(\.joinURL) == [F.teamsJoinURL])
        if let block = found.first {
            let text = String(decoding: Array(htmlWithBreaks.utf8)[block.utf8Range], as: UTF8.self)
            #expect(text.hasPrefix("____") && text.hasSuffix("____"))
        }
    }

    @Test("Blocks at the very start and the very end of the body")
    func blocksAtEdges() {
        expectSingleBlock(prefix: "", block: F.teamsText, suffix: "", format: .plainText, kind: .teams, url: F.teamsJoinURL)
        expectSingleBlock(prefix: "", block: F.teamsHTML, suffix: "", format: .html, kind: .teams, url: F.teamsJoinURL)
        expectSingleBlock(prefix: "", block: F.skypeOnlineText, suffix: "", format: .plainText, kind: .skypeOnline, url: F.skypeOnlineURL)
        expectSingleBlock(prefix: "", block: F.lyncOnPremisesHTML, suffix: "", format: .html, kind: .skypeOnPremises, url: F.lyncOnPremisesURL)
    }

    @Test("M4: a block pasted from another meeting is found, with the other meeting's URL")
    func pastedBlockFound() {
        let pasted = F.teamsText.replacing(F.teamsJoinURL, with: F.otherTeamsJoinURL)
        let body = "Copied from last month's invite:\n" + pasted + "\n"
        let found = InvitationBlock.find(in: body, format: .plainText)
        #expect(found.map(\.joinURL) == [F.otherTeamsJoinURL])
        #expect(found.map(\.kind) == [.teams])
    }
}

extension InvitationFindTests {
    /// Teams as Outlook for Windows writes it (Word HTML): each frame line a paragraph in
    /// its own `<div>`, with an empty `<o:p>` element after the underscores.
    static let teamsWordHTML = """
    <div>
    <p class="MsoNormal"><span style="color:#5F5F5F">\(InvitationFixtures.underscores80)</span><span style="font-size:12.0pt;font-family:&quot;Times New Roman&quot;,serif"><o:p></o:p></span></p>
    </div>
    <div>
    <div style="margin-top:.25in;margin-bottom:15.0pt">
    <p class="MsoNormal"><span style="font-size:18.0pt;font-family:&quot;Segoe UI&quot;,sans-serif;color:#252424">Microsoft Teams meeting<o:p></o:p></span></p>
    </div>
    <p class="MsoNormal"><a href="\(InvitationFixtures.teamsJoinURL)" target="_blank"><span style="font-size:10.5pt;color:#6264A7">Click here to join the meeting</span></a><o:p></o:p></p>
    </div>
    <div>
    <p class="MsoNormal"><span style="color:#5F5F5F">\(InvitationFixtures.underscores80)</span><span><o:p></o:p></span></p>
    </div>
    """

    @Test("M4: Teams in Outlook's Word HTML: the block includes the frame lines' paragraphs and their divs")
    func teamsWordHTMLLayout() {
        expectSingleBlock(
            prefix: "<div class=\"WordSection1\">\n<p class=\"MsoNormal\">Agenda<o:p></o:p></p>\n", block: Self.teamsWordHTML,
            suffix: "\n<p class=\"MsoNormal\"><o:p>&nbsp;</o:p></p>\n</div>", format: .html, kind: .teams, url: F.teamsJoinURL)
    }

    @Test("Not a block: a Teams block whose closing frame line was deleted is not guessed at")
    func missingClosingFrame() {
        let truncated = "\(F.underscores80)\nMicrosoft Teams meeting\nJoin<\(F.teamsJoinURL)>\nThanks, Bob"
        #expect(InvitationBlock.find(in: truncated, format: .plainText).isEmpty)
    }
}

extension InvitationFindTests {
    @Test("M3: a user's rule below the block, after dial-in wording, is not taken into the block")
    func userRuleBelowBlockNotContinued() {
        let suffix = "\nDial in details are above, conference ID too.\n\(String(repeating: "_", count: 60))\nRegards"
        expectSingleBlock(prefix: "Hi\n", block: F.teamsText, suffix: suffix, format: .plainText, kind: .teams, url: F.teamsJoinURL)
        let sameLength = "\nDial in details are above, conference ID too.\n\(F.underscores80)\nRegards"
        expectSingleBlock(prefix: "Hi\n", block: F.teamsText, suffix: sameLength, format: .plainText, kind: .teams, url: F.teamsJoinURL)
    }

    @Test("M3: a user's rule above the block, with a Teams link in between, does not make the block start early")
    func userRuleWithTeamsLinkAbove() {
        let prefix = "Notes\n\(String(repeating: "_", count: 50))\nRecording of the last Microsoft Teams meeting: <\(F.otherTeamsJoinURL)>\n"
        let body = prefix + F.teamsText + "\nThanks"
        let found = InvitationBlock.find(in: body, format: .plainText)
        // Lines: the user's rule, the block's top, the block's bottom. Both stretches look
        // like blocks; the block with even frame lines wins.
        #expect(found.map(\.joinURL) == [F.teamsJoinURL])
        #expect(found.first?.utf8Range == expectedRange(prefix: prefix, block: F.teamsText))
    }
}

extension InvitationFindTests {
    @Test("M4: in HTML that shows a plain-text block, a URL written &lt;...&gt; ends at &gt;")
    func escapedAngleBrackets() {
        let block = """
        \(F.underscores80)<br>
        Microsoft Teams meeting<br>
        Click here to join the meeting&lt;\(F.teamsJoinURL)&gt;<br>
        \(F.underscores80)
        """
        expectSingleBlock(prefix: "<p>", block: block, suffix: "</p>", format: .html, kind: .teams, url: F.teamsJoinURL)
        let skype = "\(F.periods136)<br>Join Skype Meeting &lt;\(F.skypeOnlineURL)?sl=1&amp;x=1&gt;<br>\(F.periods136)"
        expectSingleBlock(prefix: "", block: skype, suffix: "", format: .html, kind: .skypeOnline, url: F.skypeOnlineURL + "?x=1")
    }
}
