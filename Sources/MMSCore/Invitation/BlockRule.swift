/// What recognises one family of online-meeting blocks (Teams, or Skype for Business and Lync).
///
/// A block is the stretch between two frame lines of the family's style that holds a
/// join URL of the family's shape and some of its wording. Requiring all three keeps
/// ordinary text (a line of underscores under a signature, a link someone pasted) from
/// being taken for a block.
struct BlockRule: Sendable {
    /// The frame lines.
    var separator: SeparatorStyle
    /// Lower-cased phrases, at least one of which the block's visible wording must contain.
    var wordingMarkers: [[UInt8]]
    /// The kind and join URL (the meeting's identity) among the URLs of a block, in order.
    var joinURL: @Sendable (_ urls: [ScannedURL]) -> (kind: MeetingKind, url: [UInt8])?

    /// The most bytes between two frame lines for them to enclose one block. Real blocks
    /// are a few kilobytes even with dozens of dial-in numbers.
    static let maximumBlockLength = 64 * 1024

    /// The kind and join URL of a block framed by `top` and `bottom`, or `nil` when the
    /// stretch between them is not a block of this family.
    func identify(_ bytes: [UInt8], between top: SeparatorLine, and bottom: SeparatorLine, format: BodyFormat) -> (kind: MeetingKind, url: [UInt8])? {
        let interior = top.run.upperBound..<bottom.run.lowerBound
        guard interior.count <= Self.maximumBlockLength,
              let identity = joinURL(LinkScanner.urls(in: bytes, within: interior, format: format)) else { return nil }
        let wording = HTMLText.visibleWording(of: bytes, in: interior, format: format)
        guard wordingMarkers.contains(where: { wording.contains(subsequence: $0) }) else { return nil }
        return identity
    }

    /// Phrases of the dial-in part of a block.
    private static let continuationMarkers: [[UInt8]] = [
        "dial in", "dial-in", "call in", "conference id", "local number", "meeting options", "reset pin", "join by phone",
    ].map { Array($0.utf8) }

    /// Whether the stretch between two frame lines is a further section of the block that
    /// ends at `top` (a layout that draws a full-length rule between the join link and the
    /// dial-in numbers): short, without any meeting's join URL, worded like dial-in details,
    /// and holding a dial string (`,,291633251#`) or a `tel:` link, which a user's own
    /// text next to a block hardly ever does.
    func continues(_ bytes: [UInt8], between top: SeparatorLine, and bottom: SeparatorLine, format: BodyFormat) -> Bool {
        let interior = top.run.upperBound..<bottom.run.lowerBound
        guard interior.count <= Self.maximumBlockLength / 4,
              bytes.firstIndex(ofCaseInsensitive: Self.telScheme, in: interior) != nil || Self.containsDialString(bytes, in: interior)
        else { return false }
        let urls = LinkScanner.urls(in: bytes, within: interior, format: format)
        if TeamsBlock.rule.joinURL(urls) != nil || SkypeBlock.rule.joinURL(urls) != nil { return false }
        let wording = HTMLText.visibleWording(of: bytes, in: interior, format: format)
        return Self.continuationMarkers.contains { wording.contains(subsequence: $0) }
    }

    private static let telScheme = asciiBytes("tel:")

    /// Whether `range` holds `,,` followed by digits and `#`: a number with its conference ID.
    static func containsDialString(_ bytes: [UInt8], in range: Range<Int>) -> Bool {
        var index = range.lowerBound
        while index + 3 < range.upperBound {
            if bytes[index] == Byte.comma, bytes[index + 1] == Byte.comma {
                var end = index + 2
                while end < range.upperBound, Byte.isDigit(bytes[end]) { end += 1 }
                if end > index + 2, end < range.upperBound, bytes[end] == Byte.hash { return true }
            }
            index += 1
        }
        return false
    }
}
