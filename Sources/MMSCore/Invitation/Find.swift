extension InvitationBlock {
    /// The rules tried, one per family of blocks.
    static let rules: [BlockRule] = [TeamsBlock.rule, SkypeBlock.rule]

    /// Every block in `bytes`, in order and without overlaps.
    ///
    /// For each family, the frame lines are paired in order: two consecutive lines frame
    /// a candidate block when the rule identifies the stretch between them. A candidate is
    /// extended over further sections split off by a full-length rule of the same length
    /// when they read like dial-in details. Candidates may share a line (a user's own rule
    /// next to a block); the set kept is the one with the most blocks, then the most
    /// candidates whose frame lines have equal lengths (Microsoft's always do, a user's
    /// rule rarely matches), then the earliest.
    static func blocks(in bytes: [UInt8], format: BodyFormat) -> [FoundBlock] {
        var found: [FoundBlock] = []
        for rule in rules {
            found += blocks(in: bytes, format: format, rule: rule)
        }
        found.sort { $0.utf8Range.lowerBound < $1.utf8Range.lowerBound }
        var result: [FoundBlock] = []
        for block in found where !(result.last.map { $0.utf8Range.overlaps(block.utf8Range) } ?? false) {
            result.append(block)
        }
        return result
    }

    /// A block that starts at one frame line.
    private struct Candidate {
        var kind: MeetingKind
        var joinURL: [UInt8]
        /// The index of its last frame line.
        var lastLine: Int
        /// Whether all its frame lines have the same length.
        var evenFrame: Bool
    }

    private static func blocks(in bytes: [UInt8], format: BodyFormat, rule: BlockRule) -> [FoundBlock] {
        let lines = Separators.lines(in: bytes, style: rule.separator, format: format)
        guard lines.count >= 2 else { return [] }
        var identities: [(kind: MeetingKind, url: [UInt8])?] = (0..<(lines.count - 1)).map {
            rule.identify(bytes, between: lines[$0], and: lines[$0 + 1], format: format)
        }
        identities.append(nil)
        var candidates: [Candidate?] = Array(repeating: nil, count: lines.count)
        for start in 0..<lines.count {
            guard let identity = identities[start] else { continue }
            let length = lines[start].run.count
            var last = start + 1
            while last + 1 < lines.count, identities[last + 1] == nil,
                  lines[last].run.count == length, lines[last + 1].run.count == length,
                  rule.continues(bytes, between: lines[last], and: lines[last + 1], format: format) {
                last += 1
            }
            let even = lines[start...last].allSatisfy { $0.run.count == length }
            candidates[start] = Candidate(kind: identity.kind, joinURL: identity.url, lastLine: last, evenFrame: even)
        }
        // Best choice from each line on: (blocks, even blocks), compared in that order.
        var best: [(blocks: Int, even: Int, takes: Bool)] = Array(repeating: (0, 0, false), count: lines.count + 1)
        for start in stride(from: lines.count - 1, through: 0, by: -1) {
            let skip = best[start + 1]
            best[start] = (skip.blocks, skip.even, false)
            guard let candidate = candidates[start] else { continue }
            let rest = best[candidate.lastLine + 1]
            let take = (rest.blocks + 1, rest.even + (candidate.evenFrame ? 1 : 0))
            if take.0 > skip.blocks || (take.0 == skip.blocks && take.1 >= skip.even) {
                best[start] = (take.0, take.1, true)
            }
        }
        var result: [FoundBlock] = []
        var start = 0
        while start < lines.count {
            guard best[start].takes, let candidate = candidates[start] else {
                start += 1
                continue
            }
            result.append(FoundBlock(
                kind: candidate.kind,
                joinURL: String(decoding: candidate.joinURL, as: UTF8.self),
                utf8Range: lines[start].extent.lowerBound..<lines[candidate.lastLine].extent.upperBound
            ))
            start = candidate.lastLine + 1
        }
        return result
    }
}
