// Shared by every fuzz target (Fuzz/README.md). Compiled into each fuzz binary together with the
// module under test, and into the FuzzRegressionTests test target, which replays the corpus.

/// Reads structured choices out of a fuzzer's bytes: leading bytes pick options, the rest is data.
/// Running out of bytes gives zeros, so every input means something.
struct FuzzBytes {
    private(set) var remaining: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) { self.remaining = bytes[...] }

    var isEmpty: Bool { remaining.isEmpty }

    mutating func byte() -> UInt8 { remaining.popFirst() ?? 0 }

    mutating func take(_ count: Int) -> [UInt8] {
        let taken = Array(remaining.prefix(max(0, count)))
        remaining.removeFirst(taken.count)
        return taken
    }

    mutating func rest() -> [UInt8] {
        defer { remaining = [] }
        return Array(remaining)
    }
}

/// A property that did not hold for one input: what was expected, and what came out instead.
struct PropertyFailure: Error, CustomStringConvertible {
    var description: String
}

/// Throws a `PropertyFailure` saying `message` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(PropertyFailure) {
    if !condition { throw PropertyFailure(description: message()) }
}

/// A short printable rendering of bytes for failure messages.
func describe(_ bytes: some Collection<UInt8>, limit: Int = 120) -> String {
    var text = ""
    for byte in bytes.prefix(limit) {
        if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") {
            text.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            text += "\\x" + String(byte, radix: 16)
        }
    }
    return bytes.count > limit ? text + "… (\(bytes.count) bytes)" : text
}
