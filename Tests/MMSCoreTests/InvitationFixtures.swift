import MMSCore
import Testing

/// Invitation blocks as Microsoft's clients write them (public layouts, made-up
/// identifiers), and helpers the invitation tests share.
enum InvitationFixtures {
    static let underscores80 = String(repeating: "_", count: 80)
    static let periods136 = String(repeating: ".", count: 136)

    static let teamsJoinURL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NzRlYjA1YmEtMmQ0Ni00MzA4LWE4ODMtY2M0OTVmYzUxYjk5%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%22bc55b173-cff6-457d-b7a1-4e1a3d0ea2a6%22%7d"
    static let otherTeamsJoinURL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_OTlmYjQ0ZDMtZjY2Ni00ZGQ1LWI0MzMtNWFhNDg2ZjI0OTQ3%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%22d1c7e3a2-5b55-4b4f-9d47-7c3c50c0a0f1%22%7d"
    static let skypeOnlineURL = "https://meet.lync.com/contoso/alice/K7QZ2B4X"
    static let lyncOnPremisesURL = "https://meet.contoso.com/bob/RX4P9TQ2"

    /// Teams, HTML, the layout Microsoft Graph returns for an online meeting with dial-in.
    static let teamsHTML = """
    <div style="width:100%;height: 20px;"><span style="white-space:nowrap;color:#5F5F5F;opacity:.36;">\(underscores80)</span></div>
    <div class="me-email-text" style="color:#252424;font-family:'Segoe UI','Helvetica Neue',Helvetica,Arial,sans-serif;" lang="en-US">
    <div style="margin-top: 24px; margin-bottom: 20px;"><span style="font-size: 24px; color:#252424">Microsoft Teams meeting</span></div>
    <div style="margin-bottom: 20px;"><div style="margin-top: 0px; margin-bottom: 0px; font-weight: bold"><span style="font-size: 14px; color:#252424">Join on your computer or mobile app</span></div>
    <a href="\(teamsJoinURL)" class="me-email-headline" style="font-size: 14px;text-decoration: underline;color: #6264a7;">Click here to join the meeting</a></div>
    <div style="margin-bottom: 20px; margin-top: 20px"><div style="margin-bottom: 4px; font-weight: bold"><span style="font-size: 14px; color:#252424">Or call in (audio only)</span></div>
    <div style="margin-bottom: 0px"><a href="tel:+13238867531,,291633251# " class="me-email-link">+1 323-886-7531,,291633251#</a>   <span style="color:#252424;">United States, Los Angeles (Toll)</span></div>
    <div style="margin-bottom: 4px; margin-top: 4px;"><span style="font-size: 12px; color:#252424">Phone Conference ID: </span><span style="font-size: 14px; color:#252424">291 633 251#</span></div>
    <a class="me-email-link" target="_blank" href="https://dialin.teams.microsoft.com/8551f4c1-bea3-441a-8738-69aa517a91c5?id=291633251">Find a local number</a> | <a class="me-email-link" target="_blank" href="https://mysettings.lync.com/pstnconferencing">Reset PIN</a></div>
    <div style="margin-top: 24px; margin-bottom: 6px;"><a class="me-email-link" target="_blank" href="https://aka.ms/JoinTeamsMeeting">Learn More</a> | <a class="me-email-link" target="_blank" href="https://teams.microsoft.com/meetingOptions/?organizerId=bc55b173-cff6-457d-b7a1-4e1a3d0ea2a6&amp;tenantId=72f988bf-86f1-41af-91ab-2d7cd011db47&amp;threadId=19_meeting_NzRlYjA1YmEtMmQ0Ni00MzA4LWE4ODMtY2M0OTVmYzUxYjk5@thread.v2&amp;messageId=0&amp;language=en-US">Meeting options</a></div>
    </div>
    <div style="font-size: 14px; margin-bottom: 4px;"></div>
    <div style="width:100%;height: 20px;"><span style="white-space:nowrap;color:#5F5F5F;opacity:.36;">\(underscores80)</span></div>
    """

    /// Teams, HTML, the "Join Microsoft Teams Meeting" layout of MISSION.md's appendix,
    /// written with upper-case tags, single quotes, reordered attributes and CRLF.
    static let teamsHTMLJoinLayoutCRLF = crlf("""
    <DIV style='width:100%;height:20px'><SPAN style='white-space:nowrap;color:gray;opacity:.36'>\(String(repeating: "_", count: 84))</SPAN></DIV>
    <DIV><A target='_blank' rel='noreferrer noopener' href='\(teamsJoinURL)'><SPAN style='font-size:14pt;font-family:"Segoe UI"'>Join Microsoft Teams Meeting</SPAN></A></DIV>
    <DIV><A href='tel:+13238867531,,291633251#%20' target='_blank'><SPAN>+1 323-886-7531</SPAN></A><SPAN>   United States, Los Angeles (Toll)</SPAN></DIV>
    <DIV><SPAN>Conference ID: </SPAN><SPAN>291 633 251#</SPAN></DIV>
    <DIV><A href='https://dialin.teams.microsoft.com/8551f4c1-bea3-441a-8738-69aa517a91c5?id=291633251'>Local numbers</A> | <A href='https://mysettings.lync.com/pstnconferencing'>Reset PIN</A> | <A href='https://aka.ms/JoinTeamsMeeting'>Learn more about Teams</A> | <A href='https://teams.microsoft.com/meetingOptions/?organizerId=x&amp;tenantId=y'>Meeting options</A></DIV>
    <DIV style='width:100%;height:20px'><SPAN style='white-space:nowrap;color:gray;opacity:.36'>\(String(repeating: "_", count: 76))</SPAN></DIV>
    """)

    /// Teams, HTML, the newer layout: the frame lines sit inside the `me-email-text`
    /// wrapper, a thin `<hr>` and Meeting ID / Passcode lines inside.
    static let teamsHTMLNewerWrapperOpen = "<div style=\"max-width: 520px; color: #242424;\" class=\"me-email-text\" lang=\"en-US\">\n"
    static let teamsHTMLNewerBlock = """
    <div aria-hidden="true" style="margin-bottom: 24px; overflow: hidden; white-space: nowrap;">\(underscores80)</div>
    <div style="margin-bottom: 12px;"><span style="font-size: 24px; font-weight: 700; margin-right: 12px;">Microsoft Teams</span><a id="meet_invite_block.action.help" href="https://aka.ms/JoinTeamsMeeting?omkt=en-US" style="font-size: 14px; text-decoration: underline; color: #5b5fc7;">Need help?</a></div>
    <div style="margin-bottom: 6px;"><a id="meet_invite_block.action.join_link" href="\(teamsJoinURL)" title="Meeting join link" style="font-size: 20px; font-weight: 600; text-decoration: underline; color: #5b5fc7;">Join the meeting now</a></div>
    <div style="margin-bottom: 6px;"><span style="font-size: 14px; color: #616161;">Meeting ID: </span><span style="font-size: 14px; color: #242424;">241 872 334 771</span></div>
    <div style="margin-bottom: 32px;"><span style="font-size: 14px; color: #616161;">Passcode: </span><span style="font-size: 14px; color: #242424;">Kx9Tq2</span></div>
    <div style="margin-bottom: 24px; max-height: 1px; overflow: hidden;"><hr style="border: 0; background: #D1D1D1; height: 1px;"></div>
    <div><span style="font-size: 14px; color: #242424;">Need help? </span><a href="https://aka.ms/JoinTeamsMeeting">Download Teams</a> | <a href="\(teamsJoinURL)&amp;anon=true">Join on the web</a></div>
    <div style="margin-top: 24px; margin-bottom: 6px; overflow: hidden; white-space: nowrap;">\(underscores80)</div>
    """
    static let teamsHTMLNewerWrapperClose = "\n</div>"

    /// Teams, plain text, the classic layout.
    static let teamsText = """
    \(underscores80)
    Microsoft Teams meeting
    Join on your computer or mobile app
    Click here to join the meeting<\(teamsJoinURL)>
    Or call in (audio only)
    +1 323-886-7531,,291633251#<tel:+13238867531,,291633251#>   United States, Los Angeles
    Phone Conference ID: 291 633 251#
    Find a local number<https://dialin.teams.microsoft.com/8551f4c1-bea3-441a-8738-69aa517a91c5?id=291633251> | Reset PIN<https://mysettings.lync.com/pstnconferencing>
    Learn More<https://aka.ms/JoinTeamsMeeting> | Meeting options<https://teams.microsoft.com/meetingOptions/?organizerId=x&tenantId=y>
    \(underscores80)
    """

    /// Teams, plain text, the newer layout: a 32-underscore rule inside the block.
    static let teamsTextNewer = """
    \(underscores80)
    Microsoft Teams Need help?<https://aka.ms/JoinTeamsMeeting?omkt=en-US>
    Join the meeting now<\(teamsJoinURL)>
    Meeting ID: 241 872 334 771
    Passcode: Kx9Tq2
    \(String(repeating: "_", count: 32))
    Dial in by phone
    +1 323-886-7531,,291633251#<tel:+13238867531,,291633251#> United States, Los Angeles
    Find a local number<https://dialin.teams.microsoft.com/8551f4c1?id=291633251>
    Phone conference ID: 291 633 251#
    For organizers: Meeting options<https://teams.microsoft.com/meetingOptions/?organizerId=x> | Reset dial-in PIN<https://dialin.teams.microsoft.com/usp/pstnconferencing>
    Download Teams<https://www.microsoft.com/microsoft-teams/download-app> | Join on the web<https://www.microsoft.com/microsoft-teams/join-a-meeting>
    \(underscores80)
    """

    /// Teams, plain text, a layout whose rule before the dial-in part is full length.
    static let teamsTextFullRuleInside = """
    \(underscores80)
    Microsoft Teams meeting
    Join the meeting now<\(teamsJoinURL)>
    \(underscores80)
    Dial in by phone
    +1 323-886-7531,,291633251#<tel:+13238867531,,291633251#> United States, Los Angeles
    Phone conference ID: 291 633 251#
    \(underscores80)
    """

    /// Skype for Business online, HTML, as the Outlook add-in writes it (Word markup).
    static let skypeOnlineHTML = """
    <p class=MsoNormal><span style='font-family:"Segoe UI",sans-serif;color:#A6A6A6'>\(periods136)</span><span style='font-family:"Segoe UI",sans-serif'><o:p></o:p></span></p>
    <p class=MsoNormal><span style='font-family:"Segoe UI",sans-serif'><a href="\(skypeOnlineURL)"><span style='color:#0066CC'>Join Skype Meeting</span></a><o:p></o:p></span></p>
    <p class=MsoNormal><span style='font-size:8.0pt'>Trouble Joining? <a href="\(skypeOnlineURL)?sl=1">Try Skype Web App</a><o:p></o:p></span></p>
    <p class=MsoNormal><span>Join by phone<o:p></o:p></span></p>
    <p class=MsoNormal><span>+1 (425) 555-0100 (Redmond)&nbsp;&nbsp;&nbsp;&nbsp; English (United States)<o:p></o:p></span></p>
    <p class=MsoNormal><a href="https://dialin.lync.com/8551f4c1-bea3-441a-8738-69aa517a91c5"><span>Find a local number</span></a><o:p></o:p></p>
    <p class=MsoNormal><span>Conference ID: 84412307<o:p></o:p></span></p>
    <p class=MsoNormal><a href="https://dialin.lync.com/8551f4c1-bea3-441a-8738-69aa517a91c5"><span>Forgot your dial-in PIN?</span></a> |<a href="https://o15.officeredir.microsoft.com/r/rlidOC10?clid=1033"><span>Help</span></a><o:p></o:p></p>
    <p class=MsoNormal><span style='color:white'>[!OC([1033])!]</span><o:p></o:p></p>
    <p class=MsoNormal><span style='font-family:"Segoe UI",sans-serif;color:#A6A6A6'>\(periods136)</span><span style='font-family:"Segoe UI",sans-serif'><o:p></o:p></span></p>
    """

    /// Lync on-premises, HTML, "Join Lync Meeting" on the deployment's meet simple URL.
    static let lyncOnPremisesHTML = """
    <div>\(String(repeating: ".", count: 120))</div>
    <div><a href="\(lyncOnPremisesURL)">Join Lync Meeting</a></div>
    <div><a href="\(lyncOnPremisesURL)?sl=1">Trouble Joining? Try Lync Web App</a></div>
    <div>Join by phone</div>
    <div>+1 (206) 555-0177 (Seattle)</div>
    <div><a href="https://dialin.contoso.com/">Find a local number</a></div>
    <div>Conference ID: 5512098</div>
    <div>\(String(repeating: ".", count: 120))</div>
    """

    /// Skype for Business online, plain text (CRLF applied by the tests that need it).
    static let skypeOnlineText = """
    \(periods136)
    Join Skype Meeting<\(skypeOnlineURL)>
    Trouble Joining? Try Skype Web App<\(skypeOnlineURL)?sl=1>
    Join by phone

    +1 (425) 555-0100 (Redmond)                        English (United States)
    Find a local number<https://dialin.lync.com/8551f4c1-bea3-441a-8738-69aa517a91c5>

    Conference ID: 84412307
    Forgot your dial-in PIN?<https://dialin.lync.com/8551f4c1-bea3-441a-8738-69aa517a91c5> |Help<https://o15.officeredir.microsoft.com/r/rlidOC10?clid=1033>

    [!OC([1033])!]
    \(periods136)
    """

    /// Join details with audio conferencing, for rendering.
    static let teamsDetails = JoinDetails(
        kind: .teams,
        joinURL: otherTeamsJoinURL,
        conferenceId: "291633251",
        dialInNumbers: [
            DialInNumber(number: "+13238867531", label: "United States, Los Angeles (Toll)"),
            DialInNumber(number: "+33170750000", label: "France, Paris (Toll)"),
        ]
    )
    static let skypeOnlineDetails = JoinDetails(
        kind: .skypeOnline,
        joinURL: skypeOnlineURL,
        conferenceId: "84412307",
        dialInNumbers: [DialInNumber(number: "+14255550100", label: "United States, Redmond (Toll)")]
    )
}

/// The UTF-8 bytes of `text`: what the invitation tests compare, since `String`'s `==`
/// treats NFC and NFD as equal.
func utf8(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// `text` with every LF turned into CRLF, byte by byte.
func crlf(_ text: String) -> String {
    String(decoding: text.utf8.flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] }, as: UTF8.self)
}

/// `range` as a range of UTF-8 offsets in `body` where `part` starts at `prefix`'s end.
func expectedRange(prefix: String, block: String) -> Range<Int> {
    let start = prefix.utf8.count
    return start..<(start + block.utf8.count)
}

/// Whether `bytes` contains `part` as a contiguous byte sequence.
func containsBytes(_ bytes: [UInt8], _ part: String) -> Bool {
    let needle = utf8(part)
    guard !needle.isEmpty, needle.count <= bytes.count else { return needle.isEmpty }
    for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
        if bytes[start..<(start + needle.count)].elementsEqual(needle) { return true }
    }
    return false
}

/// A small deterministic generator, so property tests fail the same way every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// Expects two byte sequences to be equal; on failure reports the first offset where
/// they differ and the text around it, rather than two long arrays.
func expectSameBytes(
    _ actual: [UInt8], _ expected: [UInt8], _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual != expected else { return }
    let common = zip(actual, expected).prefix { $0 == $1 }.count
    func around(_ bytes: [UInt8]) -> String {
        let lower = max(0, common - 40)
        let upper = min(bytes.count, common + 40)
        return String(decoding: bytes[lower..<upper], as: UTF8.self).debugDescription
    }
    Issue.record(
        "\(comment) bytes differ at offset \(common) (lengths \(actual.count), expected \(expected.count)): got \(around(actual)), expected \(around(expected))",
        sourceLocation: sourceLocation)
}
