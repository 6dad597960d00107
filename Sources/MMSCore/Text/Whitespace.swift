extension String {
    /// `self` without leading and trailing whitespace: the same characters as Foundation's
    /// `trimmingCharacters(in: .whitespaces)` (tab, Unicode's space separators and U+200B), without
    /// bridging to `NSString`. Returns `self` unchanged, without copying, when there is nothing
    /// to trim (the common case on the request path, where a profile showed Foundation's
    /// version costing more than the SQLite read behind the call).
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return self }
        if !first.isHorizontalWhitespace && !last.isHorizontalWhitespace { return self }
        guard let start = scalars.firstIndex(where: { !$0.isHorizontalWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.isHorizontalWhitespace })!
        return String(scalars[start...end])
    }
}

extension Unicode.Scalar {
    /// A member of `CharacterSet.whitespaces`: U+0009, a space separator (Zs) or U+200B ZERO
    /// WIDTH SPACE (Foundation lists it; checked over every scalar by a test).
    var isHorizontalWhitespace: Bool {
        value == 0x09 || value == 0x20 || (value >= 0x80 && (value == 0x200B || properties.generalCategory == .spaceSeparator))
    }
}
