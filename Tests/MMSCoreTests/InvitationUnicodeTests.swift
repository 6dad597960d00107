import MMSCore
import Testing

/// M8: Unicode in invitation bodies comes out exactly as it went in, byte for byte.
@Suite("Invitation block: Unicode (M8)")
struct InvitationUnicodeTests {
    typealias F = InvitationFixtures

    /// Replaces the single block in `prefix + block + suffix` and checks that the bytes
    /// around it come out identical.
    func expectSurvives(
        prefix: String, suffix: String, block: String = F.teamsText, format: BodyFormat = .plainText,
        details: JoinDetails = F.teamsDetails, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let body = prefix + block + suffix
        let found = InvitationBlock.find(in: body, format: format)
        #expect(found.count == 1, sourceLocation: sourceLocation)
        guard let old = found.first else { return }
        #expect(old.utf8Range == expectedRange(prefix: prefix, block: block), sourceLocation: sourceLocation)
        let result = utf8(InvitationBlock.replacing(old, in: body, with: details, format: format))
        let expected = utf8(prefix) + utf8(InvitationBlock.render(details, format: format)) + utf8(suffix)
        expectSameBytes(result, expected, sourceLocation: sourceLocation)
        #expect(!containsBytes(result, "\u{FFFD}"), sourceLocation: sourceLocation)
        #expect(!containsBytes(result, "ï¿½"), sourceLocation: sourceLocation)
    }

    @Test("M8: emoji survive, ZWJ sequences, flags, skin tones and keycaps included")
    func emoji() {
        let text = "Team 🎉🚀 👩‍👩‍👧‍👦 👨🏽‍💻 🏳️‍🌈 🇫🇷🇯🇵🇺🇸 🏴󠁧󠁢󠁳󠁣󠁴󠁿 1️⃣ ❤️"
        expectSurvives(prefix: text + "\n", suffix: "\n" + text)
        expectSurvives(prefix: "<p>" + text + "</p>", suffix: "<p>" + text + "</p>", block: F.teamsHTML, format: .html)
    }

    @Test("M8: CJK survives (Chinese, Japanese, Korean, and a character outside the BMP)")
    func cjk() {
        let text = "会议议程：第三季度回顾。会議の議題。회의 안건. 𠮷野家"
        expectSurvives(prefix: text + "\n\n", suffix: "\n" + text, block: F.skypeOnlineText, details: F.skypeOnlineDetails)
    }

    @Test("M8: right-to-left text survives, with RLM, LRM and embedding marks")
    func rightToLeft() {
        let arabic = "جدول الأعمال\u{200F}: مراجعة الربع الثالث \u{200E}Q3\u{200E}"
        let hebrew = "סדר היום\u{200F} \u{202B}פגישה\u{202C} \u{2067}שבועית\u{2069}"
        expectSurvives(prefix: "<div dir=\"rtl\">\(arabic)</div>\n", suffix: "\n<div dir=\"rtl\">\(hebrew)</div>",
                       block: F.teamsHTML, format: .html)
        expectSurvives(prefix: hebrew + "\n", suffix: "\n" + arabic)
    }

    @Test("M8: combining marks survive, stacked and right against the block")
    func combiningMarks() {
        let text = "Zalgo: z\u{0351}\u{0308}\u{0301}a\u{0336}\u{0323}l\u{0310}g\u{0327}o\u{0361}; Vietnamese: Tiê\u{0301}ng Viê\u{0323}t; Devanagari: न\u{093F}\u{0902}"
        expectSurvives(prefix: text + "\n", suffix: "\n\u{0301}\u{0308}" + text)
        // In HTML nothing separates the block from its neighbours; a combining mark right
        // after the block would merge with `>` as a Character, but not as bytes.
        expectSurvives(prefix: "e", suffix: "\u{0301}\u{0327}\u{20DD}", block: F.teamsHTML, format: .html)
    }

    @Test("M8: NFC and NFD forms of the same text both survive, byte for byte, and are not confused")
    func nfcAndNfd() {
        let nfc = "Caf\u{00E9} cr\u{00E8}me br\u{00FB}l\u{00E9}e, \u{00C5}ngstr\u{00F6}m, \u{D55C}\u{AE00}"
        let nfd = "Cafe\u{0301} cre\u{0300}me bru\u{0302}le\u{0301}e, A\u{030A}ngstro\u{0308}m, \u{1112}\u{1161}\u{11AB}\u{1100}\u{1173}\u{11AF}"
        // Swift's String equality is canonical: only the bytes tell the two apart.
        #expect(nfc == nfd)
        #expect(utf8(nfc) != utf8(nfd))
        expectSurvives(prefix: nfc + "\n", suffix: "\n" + nfd)
        expectSurvives(prefix: nfd + "\n", suffix: "\n" + nfc)
        var results: [[UInt8]] = []
        for text in [nfc, nfd] {
            let body = text + "\n" + F.teamsText + "\n" + text
            guard let block = InvitationBlock.find(in: body, format: .plainText).first else {
                Issue.record("no block")
                continue
            }
            results.append(utf8(InvitationBlock.replacing(block, in: body, with: F.teamsDetails, format: .plainText)))
        }
        #expect(results.count == 2 && results[0] != results[1])
        #expect(results.first.map { containsBytes($0, nfc) && !containsBytes($0, nfd) } == true)
        #expect(results.last.map { containsBytes($0, nfd) && !containsBytes($0, nfc) } == true)
    }

    @Test("M8: Unicode in dial-in labels is rendered byte for byte (an NFD label stays NFD)")
    func unicodeLabels() {
        let labels = ["Montre\u{0301}al (Toll)", "Montr\u{00E9}al (Toll)", "日本、東京 (有料)", "ישראל (\u{200F}חיוג\u{200F})", "🇧🇷 São Paulo"]
        let details = JoinDetails(kind: .teams, joinURL: F.teamsJoinURL, conferenceId: "291633251",
                                  dialInNumbers: labels.enumerated().map { DialInNumber(number: "+1514555010\($0.offset)", label: $0.element) })
        for format in [BodyFormat.html, .plainText] {
            let rendered = utf8(InvitationBlock.render(details, format: format))
            for label in labels {
                #expect(containsBytes(rendered, label), "\(format) \(label)")
            }
            #expect(!containsBytes(rendered, "Montr\u{00E9}al (Toll)\u{0301}"))
        }
    }

    // MARK: Property

    /// Pieces random text is made of: ASCII, markup characters, whitespace and line breaks
    /// of both kinds, and the Unicode that breaks naive code.
    static let alphabet: [String] = [
        "a", "Z", "0", " ", "  ", "\t", "\n", "\r\n", "\u{00A0}", "&", "<", ">", "\"", "'", "_", ".", "#", ";", "/",
        "é", "e\u{0301}", "\u{0301}", "\u{0308}\u{0323}", "ñ", "Å", "A\u{030A}", "ß", "ﬁ", "Ω", "\u{2126}",
        "会", "議", "회의", "\u{1112}\u{1161}\u{11AB}", "𠮷", "ｶ", "ｶﾞ",
        "ש", "ל", "ו", "ם", "م", "ر", "ح", "ب", "ا", "\u{200F}", "\u{200E}", "\u{202E}", "\u{2066}", "\u{2069}", "\u{061C}",
        "😀", "👩‍👩‍👧‍👦", "👨🏽‍💻", "🏳️‍🌈", "🇫🇷", "🇯🇵", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "1️⃣", "\u{200D}", "\u{FE0F}", "\u{1F3FD}",
        "\u{FEFF}", "\u{2028}", "\u{0000}", "\u{10FFFF}", "\u{E000}",
    ]

    static func randomText(using generator: inout SplitMix64) -> String {
        let length = Int.random(in: 0...40, using: &generator)
        var text = ""
        for _ in 0..<length { text += alphabet.randomElement(using: &generator)! }
        return text
    }

    @Test("M8: property: random Unicode before and after a block survives replacement byte for byte")
    func randomSurroundings() {
        var generator = SplitMix64(state: 0x4D4D_535F_4D38)
        let targets = [F.teamsDetails, F.skypeOnlineDetails,
                       JoinDetails(kind: .skypeOnPremises, joinURL: F.lyncOnPremisesURL, conferenceId: "5512098",
                                   dialInNumbers: [DialInNumber(number: "+12065550177", label: "Seattle ☔️")])]
        let sources: [(JoinDetails, BodyFormat)] = [
            (JoinDetails(kind: .teams, joinURL: F.teamsJoinURL), .html), (JoinDetails(kind: .teams, joinURL: F.teamsJoinURL), .plainText),
            (F.skypeOnlineDetails, .html), (F.skypeOnlineDetails, .plainText),
        ]
        for iteration in 0..<400 {
            let (source, format) = sources[iteration % sources.count]
            let target = targets.randomElement(using: &generator)!
            var block = InvitationBlock.render(source, format: format)
            let crlfBody = Bool.random(using: &generator)
            if crlfBody { block = crlf(block) }
            let lineBreak = crlfBody ? "\r\n" : "\n"
            // Plain-text frame lines must stand on their own line; HTML needs no separation.
            let prefix = Self.randomText(using: &generator) + (format == .plainText ? lineBreak : "")
            let suffix = (format == .plainText ? lineBreak : "") + Self.randomText(using: &generator)
            let body = prefix + block + suffix
            let found = InvitationBlock.find(in: body, format: format)
            #expect(found.count == 1, "iteration \(iteration): \(found.count) blocks")
            guard let old = found.first else { continue }
            #expect(old.utf8Range == expectedRange(prefix: prefix, block: block), "iteration \(iteration)")
            #expect(old.joinURL == source.joinURL)
            let result = utf8(InvitationBlock.replacing(old, in: body, with: target, format: format))
            var rendered = InvitationBlock.render(target, format: format)
            if crlfBody { rendered = crlf(rendered) }
            expectSameBytes(result, utf8(prefix) + utf8(rendered) + utf8(suffix), "iteration \(iteration)")
        }
    }
}

extension InvitationUnicodeTests {
    @Test("M8: a byte order mark or a direction mark opening the block's first line stays outside the block")
    func invisibleMarksBeforeBlock() {
        expectSurvives(prefix: "\u{FEFF}", suffix: "\nend")
        expectSurvives(prefix: "שלום\n\u{200F}", suffix: "\n\u{200F}סוף")
        expectSurvives(prefix: "\u{FEFF}", suffix: "", block: F.teamsHTML, format: .html)
    }
}
