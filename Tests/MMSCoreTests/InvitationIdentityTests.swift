import MMSCore
import Testing

/// M4 needs to know which meeting a block belongs to: its join URL, and the identity
/// that URL names in its service.
@Suite("Invitation block: meeting identity (M4)")
struct InvitationIdentityTests {
    typealias F = InvitationFixtures

    @Test("M4: the same Teams meeting written differently has one identity: the thread")
    func teamsIdentity() {
        let expected = "teams:19:meeting_NzRlYjA1YmEtMmQ0Ni00MzA4LWE4ODMtY2M0OTVmYzUxYjk5@thread.v2/0"
        let variants = [
            F.teamsJoinURL,
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NzRlYjA1YmEtMmQ0Ni00MzA4LWE4ODMtY2M0OTVmYzUxYjk5%40thread.v2/0",
            "https://TEAMS.microsoft.com/l/meetup-join/19%3Ameeting_NzRlYjA1YmEtMmQ0Ni00MzA4LWE4ODMtY2M0OTVmYzUxYjk5%40thread.v2/0?anon=true",
            "https://teams.microsoft.com/_#/l/meetup-join/19%3ameeting_NzRlYjA1YmEtMmQ0Ni00MzA4LWE4ODMtY2M0OTVmYzUxYjk5%40thread.v2/0?context=%7b%7d",
            "https://teams.cloud.microsoft/l/meetup-join/19%3ameeting_NzRlYjA1YmEtMmQ0Ni00MzA4LWE4ODMtY2M0OTVmYzUxYjk5%40thread.v2/0",
        ]
        for url in variants {
            #expect(InvitationBlock.meetingIdentity(ofJoinURL: url) == expected, "\(url)")
        }
        // Thread IDs are case-sensitive: a different case is a different meeting.
        let otherCase = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_nzrlyja1ymetmmq0ni00mza4lwe4odmty2m0otvmyzuxyjk5%40thread.v2/0"
        #expect(InvitationBlock.meetingIdentity(ofJoinURL: otherCase) != expected)
        #expect(InvitationBlock.meetingIdentity(ofJoinURL: F.otherTeamsJoinURL) != expected)
    }

    @Test("M4: Skype identity is host, tenant, user and key; the Web App parameter does not matter")
    func skypeIdentity() {
        #expect(InvitationBlock.meetingIdentity(ofJoinURL: F.skypeOnlineURL) == "skype:meet.lync.com/contoso/alice/K7QZ2B4X")
        #expect(InvitationBlock.meetingIdentity(ofJoinURL: "https://Meet.Lync.com/contoso/alice/K7QZ2B4X?sl=1") == "skype:meet.lync.com/contoso/alice/K7QZ2B4X")
        #expect(InvitationBlock.meetingIdentity(ofJoinURL: F.lyncOnPremisesURL) == "skype:meet.contoso.com/bob/RX4P9TQ2")
        #expect(InvitationBlock.meetingIdentity(ofJoinURL: "https://meet.contoso.com/bob/RX4P9TQ3") != "skype:meet.contoso.com/bob/RX4P9TQ2")
    }

    @Test("M4: URLs that join no Teams or Skype meeting have no identity")
    func noIdentity() {
        for url in ["https://meet.google.com/abc-defg-hij", "https://teams.microsoft.com/l/channel/19%3aabc/General",
                    "https://aka.ms/JoinTeamsMeeting", "not a url", ""] {
            #expect(InvitationBlock.meetingIdentity(ofJoinURL: url) == nil, "\(url)")
        }
    }

    @Test("M4: the identity of a found block equals the identity of the URL it was rendered from")
    func foundBlockIdentity() {
        for details in [F.teamsDetails, F.skypeOnlineDetails] {
            for format in [BodyFormat.html, .plainText] {
                let found = InvitationBlock.find(in: InvitationBlock.render(details, format: format), format: format)
                #expect(found.count == 1)
                #expect(found.first.flatMap { InvitationBlock.meetingIdentity(ofJoinURL: $0.joinURL) }
                    == InvitationBlock.meetingIdentity(ofJoinURL: details.joinURL))
            }
        }
    }

    @Test("M4: the engine's on-premises URLs on a single-label SIP domain are recognised")
    func singleLabelDomain() {
        let details = JoinDetails(kind: .skypeOnPremises, joinURL: "https://meet.contoso/bob/RX4P9TQ2", conferenceId: "5512098")
        let found = InvitationBlock.find(in: InvitationBlock.render(details, format: .plainText), format: .plainText)
        #expect(found.map(\.kind) == [.skypeOnPremises])
        #expect(found.map(\.joinURL) == [details.joinURL])
    }
}
