import MMSCore
import Testing

/// Bodies built to confuse the finder: invariants that hold whatever the input.
@Suite("Invitation block: robustness")
struct InvitationRobustnessTests {
    typealias F = InvitationFixtures

    /// Fragments of blocks and of ordinary text, glued at random.
    static let fragments: [String] = [
        F.underscores80, F.periods136, String(repeating: "_", count: 32), "\n", "\r\n", " ", "<div>", "</div>", "<p>", "</p>",
        "<span style=\"color:gray\">", "</span>", "<br>", "&nbsp;", "Microsoft Teams meeting", "Join Skype Meeting", "Lync",
        "<\(F.teamsJoinURL)>", "<a href=\"\(F.teamsJoinURL)\">Join</a>", F.skypeOnlineURL, "<a href=\"\(F.lyncOnPremisesURL)?sl=1\">",
        "tel:+13238867531,,291633251#", "Conference ID: 291 633 251#", "Dial in by phone", "é", "e\u{0301}", "👩‍👩‍👧‍👦", "🇫🇷",
        "会議", "שלום\u{200F}", "\u{FEFF}", "\u{00A0}", "text", "https://", "&amp;", "<", ">", "\"",
        "\n\(F.underscores80)\n", "\n\(F.periods136)\n", "\nMicrosoft Teams meeting\n<\(F.teamsJoinURL)>\n",
        "\nJoin Skype Meeting<\(F.skypeOnlineURL)>\n", F.teamsText, F.skypeOnlineText, F.teamsHTML, F.lyncOnPremisesHTML,
        String(F.teamsText.utf8.prefix(300))!, String(F.teamsHTML.utf8.suffix(400))!,
    ]

    @Test("Ranges are in bounds, ordered, disjoint, on character boundaries, and replacing keeps every byte outside them", arguments: [BodyFormat.html, .plainText])
    func invariantsOnRandomBodies(format: BodyFormat) {
        var generator = SplitMix64(state: format == .html ? 0xB0D1 : 0x7E47)
        var blocksSeen = 0
        for iteration in 0..<500 {
            var body = ""
            for _ in 0..<Int.random(in: 0...60, using: &generator) {
                body += Self.fragments.randomElement(using: &generator)!
            }
            let bytes = utf8(body)
            let found = InvitationBlock.find(in: body, format: format)
            blocksSeen += found.count
            var previousEnd = 0
            for block in found {
                #expect(block.utf8Range.lowerBound >= previousEnd, "iteration \(iteration)")
                #expect(block.utf8Range.upperBound <= bytes.count)
                #expect(!block.utf8Range.isEmpty)
                for edge in [block.utf8Range.lowerBound, block.utf8Range.upperBound] where edge < bytes.count {
                    #expect(bytes[edge] & 0xC0 != 0x80, "iteration \(iteration): range edge inside a character")
                }
                #expect(InvitationBlock.meetingIdentity(ofJoinURL: block.joinURL) != nil, "iteration \(iteration): \(block.joinURL)")
                previousEnd = block.utf8Range.upperBound
            }
            if let block = found.last {
                let result = utf8(InvitationBlock.replacing(block, in: body, with: F.teamsDetails, format: format))
                let prefix = Array(bytes[..<block.utf8Range.lowerBound])
                let suffix = Array(bytes[block.utf8Range.upperBound...])
                #expect(Array(result.prefix(prefix.count)) == prefix, "iteration \(iteration)")
                #expect(Array(result.suffix(suffix.count)) == suffix, "iteration \(iteration)")
            }
        }
        // The generator must actually produce blocks, or this test proves nothing.
        #expect(blocksSeen > 100, "\(blocksSeen)")
    }

    @Test("A large body (about 3 MB, thousands of rules and links) is searched in linear time", .timeLimit(.minutes(1)))
    func largeBody() {
        var body = ""
        for index in 0..<3000 {
            body += "Paragraph \(index) with a rule and a link to https://contoso.example/\(index) 会議 🎉\n\(F.underscores80)\n"
            body += String(repeating: "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", count: 15) + "\n"
        }
        let prefix = body
        body += F.teamsText + "\n" + prefix
        let found = InvitationBlock.find(in: body, format: .plainText)
        #expect(found.map(\.joinURL) == [F.teamsJoinURL])
        #expect(found.first?.utf8Range == expectedRange(prefix: prefix, block: F.teamsText))
    }

    @Test("A frame with a block-sized gap is not a block: stretches over 64 KiB are refused")
    func oversizedStretch() {
        let filler = String(repeating: "x", count: 70_000)
        let body = "\(F.underscores80)\nMicrosoft Teams meeting\n<\(F.teamsJoinURL)>\n\(filler)\n\(F.underscores80)"
        #expect(InvitationBlock.find(in: body, format: .plainText).isEmpty)
    }
}
