import NIOCore

/// Key/value pairs sent with a call (request metadata) or with its status (trailing metadata).
///
/// Keys are lower-case ASCII letters, digits, `-`, `_` and `.`; values are UTF-8 text.
/// A key may repeat. On the wire the whole set, keys and values together, is capped
/// (8 KiB by default) so a peer cannot make us hold unbounded metadata.
public struct Metadata: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var entries: [(key: String, value: String)]

    public init() { self.entries = [] }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.entries = elements.map { (key: $0.0, value: $0.1) }
    }

    /// Appends a value for `key` (keys are stored lower-cased).
    public mutating func add(_ value: String, forKey key: String) {
        self.entries.append((key: key.lowercased(), value: value))
    }

    /// Replaces every value of `key` with `value`.
    public mutating func set(_ value: String, forKey key: String) {
        let key = key.lowercased()
        self.entries.removeAll { $0.key == key }
        self.entries.append((key: key, value: value))
    }

    /// The first value of `key`, if any.
    public subscript(key: String) -> String? {
        let key = key.lowercased()
        return self.entries.first { $0.key == key }?.value
    }

    public var isEmpty: Bool { self.entries.isEmpty }
    public var count: Int { self.entries.count }

    /// Bytes of keys and values together, the quantity the size cap applies to.
    public var encodedContentSize: Int {
        self.entries.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: String)]> {
        self.entries.makeIterator()
    }

    public static func == (lhs: Metadata, rhs: Metadata) -> Bool {
        lhs.entries.count == rhs.entries.count && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in self.entries {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }

    /// True when `key` is a valid metadata key.
    public static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }
}

/// A payload that does not follow its frame type's layout. It fails one call, not the connection.
public struct PayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// True when the payload was well formed but over a size limit.
    public var overLimit: Bool
    public init(_ message: String, overLimit: Bool = false) {
        self.message = message
        self.overLimit = overLimit
    }
    public var description: String { self.message }
}

extension ByteBuffer {
    /// Appends `metadata`: a u16 count, then per entry a u16-length key and a u16-length value.
    /// - Throws: ``FrameEncodingError`` when there are more than 65,535 entries or an entry is
    ///   longer than 65,535 bytes.
    public mutating func writeMetadata(_ metadata: Metadata) throws(FrameEncodingError) {
        guard let count = UInt16(exactly: metadata.count) else {
            throw FrameEncodingError("metadata of \(metadata.count) entries does not fit its 16-bit count")
        }
        self.writeInteger(count)
        for entry in metadata.entries {
            try self.writeLengthPrefixedString(entry.key, as: UInt16.self, what: "metadata key")
            try self.writeLengthPrefixedString(entry.value, as: UInt16.self, what: "metadata value of \"\(entry.key)\"")
        }
    }

    /// Reads metadata written by `writeMetadata`, enforcing key syntax and `maxSize`.
    public mutating func readMetadata(maxSize: Int) throws(PayloadError) -> Metadata {
        guard let count = self.readInteger(as: UInt16.self) else { throw PayloadError("metadata: missing entry count") }
        var metadata = Metadata()
        var total = 0
        for index in 0..<Int(count) {
            let key = try self.readLengthPrefixedString(as: UInt16.self, what: "metadata key \(index)")
            let value = try self.readLengthPrefixedString(as: UInt16.self, what: "metadata value of \"\(key)\"")
            total += key.utf8.count + value.utf8.count
            guard total <= maxSize else {
                throw PayloadError("metadata is over the limit of \(maxSize) bytes", overLimit: true)
            }
            guard Metadata.isValidKey(key) else {
                throw PayloadError("metadata key \"\(key)\" is invalid: use lower-case ASCII letters, digits, '-', '_' or '.'")
            }
            metadata.add(value, forKey: key)
        }
        return metadata
    }

    /// Appends `string` as UTF-8 after its byte length as an integer of type `Length`.
    /// - Throws: ``FrameEncodingError`` naming `what` when the length does not fit a `Length`;
    ///   nothing is written then.
    @inlinable
    public mutating func writeLengthPrefixedString<Length: FixedWidthInteger>(
        _ string: String, as: Length.Type, what: @autoclosure () -> String = "string"
    ) throws(FrameEncodingError) {
        guard let length = Length(exactly: string.utf8.count) else {
            throw FrameEncodingError("\(what()) of \(string.utf8.count) bytes does not fit its \(Length.bitWidth)-bit length")
        }
        self.writeInteger(length)
        self.writeString(string)
    }

    /// Reads a string written by `writeLengthPrefixedString`, rejecting invalid UTF-8.
    public mutating func readLengthPrefixedString<Length: FixedWidthInteger>(as: Length.Type, what: String) throws(PayloadError) -> String {
        guard let length = self.readInteger(as: Length.self) else { throw PayloadError("\(what): missing length") }
        guard let bytes = self.readSlice(length: Int(length)) else {
            throw PayloadError("\(what): length \(length) runs past the end of the frame")
        }
        guard let string = bytes.withUnsafeReadableBytes({ String(validating: $0, as: UTF8.self) }) else {
            throw PayloadError("\(what) is not valid UTF-8")
        }
        return string
    }
}
