import Foundation

/// A compact binary form for the structured columns the hot paths read and write (issue 11):
/// a format byte, then fields in a fixed order; strings as a LEB128 length and their exact UTF-8
/// bytes; optionals as a presence byte. Rows written before it hold JSON (their first byte is
/// `{`, which no binary format byte is) and are still read; schema v7 converts them.
package struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    package init(format: UInt8, capacity: Int = 128) {
        bytes.reserveCapacity(capacity)
        bytes.append(format)
    }

    package mutating func write(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    package mutating func write(_ value: Int) { write(UInt64(bitPattern: Int64(value))) }

    package mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    package mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            write(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    package mutating func write(_ value: String?) {
        guard let value else { return bytes.append(0) }
        bytes.append(1)
        write(value)
    }

    package mutating func write(_ value: Data) {
        write(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    package mutating func write(_ value: Date) { write(Int(value.micros)) }

    package mutating func write(_ value: Int?) {
        guard let value else { return bytes.append(0) }
        bytes.append(1)
        write(value)
    }

    package mutating func write(_ values: [String]) {
        write(UInt64(values.count))
        for value in values { write(value) }
    }

    package var data: Data { Data(bytes) }
}

/// Reads what ``BinaryWriter`` wrote; every read is bounds-checked and a short or malformed
/// value throws, naming what it was reading.
package struct BinaryReader {
    private let bytes: [UInt8]
    private var offset = 0
    private let what: String

    package init(_ data: Data, what: String) {
        self.bytes = [UInt8](data)
        self.what = what
    }

    package var format: UInt8? { bytes.first }

    package mutating func skipFormat() { offset = 1 }

    package mutating func uint64() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count, shift < 64 else { throw BinaryDecodingError(what: what, offset: offset) }
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    package mutating func int() throws -> Int { Int(Int64(bitPattern: try uint64())) }

    package mutating func bool() throws -> Bool {
        guard offset < bytes.count, bytes[offset] <= 1 else { throw BinaryDecodingError(what: what, offset: offset) }
        defer { offset += 1 }
        return bytes[offset] == 1
    }

    package mutating func string() throws -> String {
        let count = try uint64()
        guard count <= UInt64(bytes.count - offset) else { throw BinaryDecodingError(what: what, offset: offset) }
        let end = offset + Int(count)
        defer { offset = end }
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[offset..<end]), as: UTF8.self) }
    }

    package mutating func data() throws -> Data {
        let count = try uint64()
        guard count <= UInt64(bytes.count - offset) else { throw BinaryDecodingError(what: what, offset: offset) }
        let end = offset + Int(count)
        defer { offset = end }
        return Data(bytes[offset..<end])
    }

    package mutating func date() throws -> Date { Date(micros: Int64(try int())) }

    package mutating func optionalInt() throws -> Int? { try bool() ? try int() : nil }

    /// A count of elements that follow, each at least one byte long (so a corrupt count cannot
    /// make the reader reserve more than the value holds).
    package mutating func count() throws -> Int {
        let count = try uint64()
        guard count <= UInt64(bytes.count - offset) else { throw BinaryDecodingError(what: what, offset: offset) }
        return Int(count)
    }

    package mutating func strings() throws -> [String] {
        let count = try count()
        var values: [String] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try string()) }
        return values
    }

    package mutating func optionalString() throws -> String? {
        try bool() ? try string() : nil
    }

    /// A stored enum value by its raw value.
    package mutating func value<T: RawRepresentable>(_ type: T.Type) throws -> T where T.RawValue == String {
        let raw = try string()
        guard let value = T(rawValue: raw) else { throw BinaryDecodingError(what: "\(what) (unknown value '\(raw)')", offset: offset) }
        return value
    }

    /// An optional stored enum value.
    package mutating func optionalValue<T: RawRepresentable>(_ type: T.Type) throws -> T? where T.RawValue == String {
        try bool() ? try value(type) : nil
    }

    /// Throws unless every byte was read.
    package func end() throws {
        guard offset == bytes.count else { throw BinaryDecodingError(what: what, offset: offset) }
    }
}

/// A stored value that is not what its format says: the row is reported, never guessed at.
package struct BinaryDecodingError: Error, CustomStringConvertible {
    package var what: String
    package var offset: Int
    package init(what: String, offset: Int) {
        self.what = what
        self.offset = offset
    }
    package var description: String { "the stored \(what) is malformed at byte \(offset)" }
}
