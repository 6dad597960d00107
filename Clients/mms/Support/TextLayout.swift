/// Text layouts for people, in the style of the PowerShell cmdlets `mms` replaces.
enum TextLayout {
    /// `Name : Value` lines with the names padded to one width, as `Format-List` prints them.
    static func list(_ rows: KeyValuePairs<String, String>) -> String {
        self.list(rows.map { ($0.key, $0.value) })
    }

    /// `Name : Value` lines; a value with line breaks continues under its first line.
    static func list(_ rows: [(String, String)]) -> String {
        let width = rows.map(\.0.count).max() ?? 0
        let indent = String(repeating: " ", count: width + 3)
        return rows.map { name, value in
            let padded = name + String(repeating: " ", count: width - name.count) + " : "
            return padded + value.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n" + indent)
        }.joined(separator: "\n")
    }

    /// A table with a header and a dashed underline, as `Format-Table` prints it.
    /// Columns named in `rightAligned` (numbers) are aligned to the right.
    static func table(_ headers: [String], _ rows: [[String]], rightAligned: Set<String> = []) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let padding = String(repeating: " ", count: max(0, widths[index] - cell.count))
                let last = index == cells.count - 1
                if rightAligned.contains(headers[index]) {
                    text += padding + cell
                } else {
                    text += last ? cell : cell + padding
                }
                if !last { text += "  " }
            }
            return text
        }
        let underline = headers.enumerated().map { String(repeating: "-", count: $0.element.count) + String(repeating: " ", count: widths[$0.offset] - $0.element.count) }
        var lines = [line(headers), line(underline).trimmingTrailingSpaces()]
        lines += rows.map { line($0).trimmingTrailingSpaces() }
        return lines.joined(separator: "\n")
    }

    /// `True` or `False`, as PowerShell prints booleans.
    static func flag(_ value: Bool) -> String { value ? "True" : "False" }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
