extension InvitationBlock {
    /// The rules tried, one per family of blocks.
    static let rules: [BlockRule] = [TeamsBlock.rule, SkypeBlock.rule]

    /// Every block in `bytes`, in order and without overlaps.
    ///
    /// For each family, frame lines are paired in order: two consecutive lines frame a
    /// block when the rule identifies the stretch between them; otherwise the search moves
    /// one line on (the first line was the user's own). Further sections split off by a
    /// full-length rule are taken in when they read like dial-in details.
    static func blocks(in bytes: [UInt8], format: BodyFormat) -> [FoundBlock] {
        var found: [FoundBlock] = []
        for rule in rules {
            let lines = Separators.lines(in: bytes, style: rule.separator, format: format)
            var index = 0
            while index + 1 < lines.count {
                guard let identity = rule.identify(bytes, between: lines[index], and: lines[index + 1], format: format) else {
                    index += 1
                    continue
                }
                var last = index + 1
                while last + 1 < lines.count,
                      rule.continues(bytes, between: lines[last], and: lines[last + 1], format: format),
                      !(last + 2 < lines.count && rule.identify(bytes, between: lines[last + 1], and: lines[last + 2], format: format) != nil) {
                    last += 1
                }
                found.append(FoundBlock(
                    kind: identity.kind,
                    joinURL: String(decoding: identity.url, as: UTF8.self),
                    utf8Range: lines[index].extent.lowerBound..<lines[last].extent.upperBound
                ))
                index = last + 1
            }
        }
        found.sort { $0.utf8Range.lowerBound < $1.utf8Range.lowerBound }
        var result: [FoundBlock] = []
        for block in found where !(result.last.map { $0.utf8Range.overlaps(block.utf8Range) } ?? false) {
            result.append(block)
        }
        return result
    }
}
