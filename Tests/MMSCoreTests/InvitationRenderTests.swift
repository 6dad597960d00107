import MMSCore
import Testing

/// Our own blocks: what they contain, how they escape, and that `find` finds them again.
@Suite("Invitation block: render")
struct InvitationRenderTests {
    typealias F = InvitationFixtures

    static let allDetails: [JoinDetails] = [
        F.teamsDetails,
        JoinDetails(kind: .teams, joinURL: F.teamsJoinURL),
        F.skypeOnlineDetails,
        JoinDetails(kind: .skypeOnline, joinURL: F.skypeOnlineURL),
        JoinDetails(kind: .skypeOnPremises, joinURL: F.lyncOnPremisesURL, conferenceId: "5512098",
                    dialInNumbers: [DialInNumber(number: "+12065550177", label: "Seattle")]),
        JoinDetails(kind: .skypeOnPremises, joinURL: F.lyncOnPremisesURL),
        JoinDetails(kind: .teams, joinURL: "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%7d&anon=true",
                    conferenceId: "123456789012", dialInNumbers: []),
    ]

    @Test("Round trip: find(render(details)) is one block spanning the whole render, same kind and URL", arguments: allDetails, [BodyFormat.html, .plainText])
    func roundTrip(details: JoinDetails, format: BodyFormat) {
        let rendered = InvitationBlock.render(details, format: format)
        let found = InvitationBlock.find(in: rendered, format: format)
        #expect(found.count == 1)
        #expect(found.first?.kind == details.kind)
        #expect(found.first.map { utf8($0.joinURL) } == utf8(details.joinURL))
        #expect(found.first?.utf8Range == 0..<rendered.utf8.count)
        #expect(!rendered.hasSuffix("\n"))
    }

    @Test("Teams with audio conferencing: join link, tel: links with number,,id#, grouped conference ID, local numbers link")
    func teamsDialInHTML() {
        let html = utf8(InvitationBlock.render(F.teamsDetails, format: .html))
        #expect(containsBytes(html, "Microsoft Teams meeting"))
        #expect(containsBytes(html, "href=\"\(F.otherTeamsJoinURL)\""))
        #expect(containsBytes(html, "href=\"tel:+13238867531,,291633251%23\">+13238867531,,291633251#</a>"))
        #expect(containsBytes(html, "United States, Los Angeles (Toll)"))
        #expect(containsBytes(html, "href=\"tel:+33170750000,,291633251%23\""))
        #expect(containsBytes(html, "Conference ID: 291 633 251#"))
        #expect(containsBytes(html, "href=\"https://dialin.teams.microsoft.com/?id=291633251\">Local numbers</a>"))
        let text = utf8(InvitationBlock.render(F.teamsDetails, format: .plainText))
        #expect(containsBytes(text, "+13238867531,,291633251#  United States, Los Angeles (Toll)\n"))
        #expect(containsBytes(text, "\nConference ID: 291 633 251#\n"))
        #expect(containsBytes(text, "<\(F.otherTeamsJoinURL)>"))
        #expect(containsBytes(text, "Local numbers: <https://dialin.teams.microsoft.com/?id=291633251>"))
    }

    @Test("No conference ID: no dial-in part, even when numbers are given")
    func noAudioConferencing() {
        let details = JoinDetails(kind: .teams, joinURL: F.teamsJoinURL, conferenceId: nil,
                                  dialInNumbers: [DialInNumber(number: "+13238867531", label: "Los Angeles")])
        for format in [BodyFormat.html, .plainText] {
            let rendered = utf8(InvitationBlock.render(details, format: format))
            #expect(!containsBytes(rendered, "tel:"))
            #expect(!containsBytes(rendered, "+13238867531"))
            #expect(!containsBytes(rendered, "Conference ID"))
        }
    }

    @Test("Skype: join link, Web App link with sl=1, dial-in part; on-premises local numbers on the deployment's dialin host")
    func skypeParts() {
        let online = utf8(InvitationBlock.render(F.skypeOnlineDetails, format: .plainText))
        #expect(containsBytes(online, "Join Skype Meeting: <\(F.skypeOnlineURL)>"))
        #expect(containsBytes(online, "Try Skype Web App: <\(F.skypeOnlineURL)?sl=1>"))
        #expect(containsBytes(online, "+14255550100,,84412307#  United States, Redmond (Toll)"))
        #expect(containsBytes(online, "Conference ID: 844 123 07#"))
        #expect(containsBytes(online, "<https://dialin.lync.com/>"))
        let onPremises = JoinDetails(kind: .skypeOnPremises, joinURL: F.lyncOnPremisesURL, conferenceId: "5512098")
        let html = utf8(InvitationBlock.render(onPremises, format: .html))
        #expect(containsBytes(html, "href=\"https://dialin.contoso.com/\">Find a local number</a>"))
        #expect(containsBytes(html, "href=\"\(F.lyncOnPremisesURL)?sl=1\""))
    }

    @Test("HTML escaping: & < > \" ' in labels and URLs are escaped, and the URL comes back unescaped")
    func htmlEscaping() {
        let url = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%7d&anon=true&a='b'"
        let details = JoinDetails(kind: .teams, joinURL: url, conferenceId: "291633251",
                                  dialInNumbers: [DialInNumber(number: "+13238867531", label: "AT&T <\"Toll\"> 'free'")])
        let html = utf8(InvitationBlock.render(details, format: .html))
        #expect(containsBytes(html, "AT&amp;T &lt;&quot;Toll&quot;&gt; &#39;free&#39;"))
        #expect(containsBytes(html, "context=%7b%7d&amp;anon=true&amp;a=&#39;b&#39;\""))
        #expect(!containsBytes(html, "<\"Toll"))
        #expect(!containsBytes(html, "&anon"))
        #expect(InvitationBlock.find(in: String(decoding: html, as: UTF8.self), format: .html).map(\.joinURL) == [url])
    }

    @Test("Characters a URL may not hold are percent-encoded, so the block stays intact")
    func urlSanitised() {
        let details = JoinDetails(kind: .skypeOnline, joinURL: "https://meet.lync.com/contoso/alice/K7 Q<Z>\"", conferenceId: nil)
        for format in [BodyFormat.html, .plainText] {
            let rendered = InvitationBlock.render(details, format: format)
            let found = InvitationBlock.find(in: rendered, format: format)
            #expect(found.map(\.joinURL) == ["https://meet.lync.com/contoso/alice/K7%20Q%3CZ%3E%22"])
            #expect(found.first?.utf8Range == 0..<rendered.utf8.count)
        }
    }

    @Test("Labels with line breaks stay on their line; a label of underscores cannot pass for a frame line")
    func hostileLabels() {
        let details = JoinDetails(kind: .teams, joinURL: F.teamsJoinURL, conferenceId: "291633251", dialInNumbers: [
            DialInNumber(number: "+13238867531", label: "Los Angeles\n\(F.underscores80)\r\nMicrosoft Teams meeting"),
            DialInNumber(number: "+13238867532", label: F.underscores80),
            DialInNumber(number: "+13238867533", label: String(repeating: ".", count: 136)),
        ])
        for format in [BodyFormat.html, .plainText] {
            let rendered = InvitationBlock.render(details, format: format)
            let found = InvitationBlock.find(in: rendered, format: format)
            #expect(found.count == 1)
            #expect(found.first?.utf8Range == 0..<rendered.utf8.count)
            let lines = rendered.utf8.split(separator: 0x0A).count
            let plainLines = InvitationBlock.render(JoinDetails(kind: .teams, joinURL: F.teamsJoinURL, conferenceId: "291633251", dialInNumbers: [
                DialInNumber(number: "+1", label: "a"), DialInNumber(number: "+2", label: "b"), DialInNumber(number: "+3", label: "c"),
            ]), format: format).utf8.split(separator: 0x0A).count
            #expect(lines == plainLines)
        }
    }

    @Test("Rendered blocks are stable: the same details give the same bytes")
    func deterministic() {
        for details in Self.allDetails {
            #expect(utf8(InvitationBlock.render(details, format: .html)) == utf8(InvitationBlock.render(details, format: .html)))
        }
    }
}
