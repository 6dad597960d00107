import CProtobufC

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds a U+0000 inside a string field of an encoded message (issue 9, issue 16).
///
/// protobuf-c hands a `string` field to its reader as a NUL-terminated `char *`, so a string
/// that holds U+0000 would be read cut short at it, silently. The service refuses such a string
/// instead (`INVALID_ARGUMENT` naming the field, PROTOCOL.md "Strings"): none of the systems it
/// writes to (SQLite text, iCalendar, e-mail) carries U+0000 either.
///
/// The check costs nothing for a well-formed request: a string was cut short only if the
/// message packs to fewer bytes than it arrived in, and only then are the bytes walked, by the
/// message's own protobuf-c descriptor, to find the field. A smaller repack can also come from a
/// non-canonical encoding (a repeated scalar, an overlong varint); the walk then finds no NUL
/// and the message is accepted.
enum ProtobufCStrings {
    /// Nested messages deeper than this are not walked (the API's are at most 3 deep).
    static let maxDepth = 16
    /// `PROTOBUF_C_TYPE_STRING` and `PROTOBUF_C_TYPE_MESSAGE` of protobuf-c's `ProtobufCType`
    /// (an anonymous C enum, whose constants Swift does not import by name).
    static let typeString = 14
    static let typeMessage = 16

    /// The `Message.field` name of the first string field in `bytes` that holds a NUL byte, if any.
    static func fieldHoldingNUL(
        _ bytes: UnsafeBufferPointer<UInt8>, descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int = 0
    ) -> String? {
        guard depth < maxDepth else { return nil }
        var index = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count, shift < 64 {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        while index < bytes.count {
            guard let tag = varint() else { return nil }
            let number = UInt32(truncatingIfNeeded: tag >> 3)
            switch tag & 7 {
            case 0: guard varint() != nil else { return nil }
            case 1: index += 8
            case 5: index += 4
            case 2:
                guard let length = varint(), length <= UInt64(bytes.count - index) else { return nil }
                let start = index
                index += Int(length)
                guard let field = self.field(number, in: descriptor) else { continue }
                let value = UnsafeBufferPointer(rebasing: bytes[start..<index])
                switch Int(field.pointee.type.rawValue) {
                case typeString:
                    if value.contains(0) { return name(field, in: descriptor) }
                case typeMessage:
                    guard let nested = field.pointee.descriptor?.assumingMemoryBound(to: ProtobufCMessageDescriptor.self) else { continue }
                    if let found = fieldHoldingNUL(value, descriptor: nested, depth: depth + 1) {
                        return name(field, in: descriptor) + " → " + found
                    }
                default:
                    continue
                }
            default:
                return nil  // groups: not used by the API, and protobuf-c has accepted the bytes anyway
            }
        }
        return nil
    }

    private static func field(_ number: UInt32, in descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> UnsafePointer<ProtobufCFieldDescriptor>? {
        guard let fields = descriptor.pointee.fields else { return nil }
        for offset in 0..<Int(descriptor.pointee.n_fields) where fields[offset].id == number {
            return fields + offset
        }
        return nil
    }

    private static func name(_ field: UnsafePointer<ProtobufCFieldDescriptor>, in descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> String {
        let message = descriptor.pointee.short_name.map { String(cString: $0) } ?? "?"
        let name = field.pointee.name.map { String(cString: $0) } ?? "?"
        return "\(message).\(name)"
    }

    /// The descriptor protobuf-c keeps at the start of every message it unpacked.
    static func descriptor(of message: UnsafeRawPointer) -> UnsafePointer<ProtobufCMessageDescriptor>? {
        message.assumingMemoryBound(to: ProtobufCMessage.self).pointee.descriptor
    }
}
