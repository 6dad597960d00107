/// A unified diff of two texts' lines (`diff -u` without the file header), for the migration
/// preview: what a migration would change in a body or in a calendar resource's content lines.
public enum UnifiedDiff {
    /// The largest middle part (lines neither common prefix nor common suffix) compared line by
    /// line, as old × new lines; a larger one is shown as all removed then all added, so a peer's
    /// huge resource cannot make the preview use unbounded time or memory.
    public static let comparisonLimit = 1 << 20

    /// The hunks turning `old` into `new`, with `context` unchanged lines around each change;
    /// empty when they are equal. Each line is ` `, `-` or `+` and the line; hunks start with
    /// `@@ -a,b +c,d @@`.
    public static func lines(_ old: [String], _ new: [String], context: Int = 3) -> String {
        let edits = script(old, new)
        guard edits.contains(where: { $0.kind != .same }) else { return "" }
        var output: [String] = []
        var index = 0
        while index < edits.count {
            guard edits[index].kind != .same else { index += 1; continue }
            // A hunk: from `context` lines before this change to `context` after the last change
            // that is at most 2 × context unchanged lines from the next.
            let start = max(0, index - context)
            var end = index
            var scan = index
            while scan < edits.count {
                if edits[scan].kind != .same { end = scan; scan += 1; continue }
                var run = scan
                while run < edits.count, edits[run].kind == .same { run += 1 }
                if run == edits.count || run - scan > 2 * context { break }
                scan = run
            }
            let stop = min(edits.count, end + context + 1)
            let hunk = edits[start..<stop]
            let oldStart = hunk.first.map(\.oldLine) ?? 0
            let newStart = hunk.first.map(\.newLine) ?? 0
            let oldCount = hunk.filter { $0.kind != .added }.count
            let newCount = hunk.filter { $0.kind != .removed }.count
            output.append("@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@")
            for edit in hunk {
                switch edit.kind {
                case .same: output.append(" " + edit.text)
                case .removed: output.append("-" + edit.text)
                case .added: output.append("+" + edit.text)
                }
            }
            index = stop
        }
        return output.joined(separator: "\n") + "\n"
    }

    /// `start,count` as diff writes it (1-based; a hunk with no lines on a side names the line before).
    private static func range(_ start: Int, _ count: Int) -> String {
        count == 0 ? "\(start),0" : "\(start + 1),\(count)"
    }

    enum Kind { case same, removed, added }

    struct Edit {
        var kind: Kind
        var text: String
        /// 0-based positions in old and new where this edit stands.
        var oldLine: Int
        var newLine: Int
    }

    /// The edit script: common prefix and suffix, and a longest-common-subsequence of the middle.
    static func script(_ old: [String], _ new: [String]) -> [Edit] {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] {
            suffix += 1
        }
        var edits: [Edit] = []
        for line in 0..<prefix { edits.append(Edit(kind: .same, text: old[line], oldLine: line, newLine: line)) }
        let a = Array(old[prefix..<(old.count - suffix)])
        let b = Array(new[prefix..<(new.count - suffix)])
        var i = 0, j = 0
        if a.count * b.count <= comparisonLimit, !a.isEmpty, !b.isEmpty {
            // lengths[i][j]: the LCS length of a[i...] and b[j...].
            let width = b.count + 1
            var lengths = [Int](repeating: 0, count: (a.count + 1) * width)
            for x in stride(from: a.count - 1, through: 0, by: -1) {
                for y in stride(from: b.count - 1, through: 0, by: -1) {
                    lengths[x * width + y] = a[x] == b[y]
                        ? lengths[(x + 1) * width + y + 1] + 1
                        : max(lengths[(x + 1) * width + y], lengths[x * width + y + 1])
                }
            }
            while i < a.count, j < b.count {
                if a[i] == b[j] {
                    edits.append(Edit(kind: .same, text: a[i], oldLine: prefix + i, newLine: prefix + j))
                    i += 1; j += 1
                } else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
                    edits.append(Edit(kind: .removed, text: a[i], oldLine: prefix + i, newLine: prefix + j))
                    i += 1
                } else {
                    edits.append(Edit(kind: .added, text: b[j], oldLine: prefix + i, newLine: prefix + j))
                    j += 1
                }
            }
        }
        while i < a.count { edits.append(Edit(kind: .removed, text: a[i], oldLine: prefix + i, newLine: prefix + j)); i += 1 }
        while j < b.count { edits.append(Edit(kind: .added, text: b[j], oldLine: prefix + i, newLine: prefix + j)); j += 1 }
        for offset in 0..<suffix {
            edits.append(Edit(kind: .same, text: old[old.count - suffix + offset], oldLine: old.count - suffix + offset, newLine: new.count - suffix + offset))
        }
        return edits
    }
}
