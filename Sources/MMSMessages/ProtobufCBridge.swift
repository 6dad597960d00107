import CMMSProtos
import CProtobufC
import MMSRPC
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Swift message backed by a struct that protoc-c generated.
///
/// Generated code (Protos/swiftgen.py) conforms every API message: it fills a C struct
/// from the Swift value for packing, and reads a Swift value back out of an unpacked
/// C struct. No C struct ever leaves this module: the rest of the program sees only the
/// Swift value types, and every C allocation has one owner here, freed on every path.
public protocol ProtobufCBridgedMessage: WireMessage {
    associatedtype CMessage
    /// The message's full proto name, for error messages.
    static var messageName: String { get }
    static func cInit(_ message: UnsafeMutablePointer<CMessage>)
    static func cPackedSize(_ message: UnsafePointer<CMessage>) -> Int
    static func cPack(_ message: UnsafePointer<CMessage>, _ out: UnsafeMutablePointer<UInt8>) -> Int
    static func cUnpack(_ count: Int, _ bytes: UnsafePointer<UInt8>) -> UnsafeMutablePointer<CMessage>?
    static func cFreeUnpacked(_ message: UnsafeMutablePointer<CMessage>)
    /// Writes this value into a C struct already initialised by `cInit`, allocating from `arena`.
    func fill(_ c: UnsafeMutablePointer<CMessage>, arena: ProtobufCArena) throws(RPCError)
    /// Reads a value out of a C struct that protobuf-c unpacked.
    init(reading c: UnsafePointer<CMessage>) throws(RPCError)
}

/// The largest encoded message the bridge unpacks; the frame limit normally stops bigger ones first.
public let maxEncodedMessageSize = 4 * 1024 * 1024

extension ProtobufCBridgedMessage {
    /// Decodes the protobuf bytes in `buffer` with protobuf-c.
    ///
    /// The size is checked before anything is handed to C; what protobuf-c allocates is
    /// freed before this returns, whether reading it succeeds or throws.
    /// - Throws: `RPCError(.invalidArgument)` naming the message or field that is malformed.
    public static func decode(from buffer: ByteBuffer) throws(RPCError) -> Self {
        guard buffer.readableBytes <= maxEncodedMessageSize else {
            throw RPCError(.invalidArgument, "\(messageName) of \(buffer.readableBytes) bytes is over the limit of \(maxEncodedMessageSize) bytes")
        }
        let result: Result<Self, RPCError> = buffer.withUnsafeReadableBytes { raw in
            // protobuf-c reads nothing when the count is 0, but wants a non-null pointer.
            var empty: UInt8 = 0
            let unpacked: UnsafeMutablePointer<CMessage>?
            if let base = raw.baseAddress, raw.count > 0 {
                unpacked = cUnpack(raw.count, base.assumingMemoryBound(to: UInt8.self))
            } else {
                unpacked = withUnsafePointer(to: &empty) { cUnpack(0, $0) }
            }
            guard let message = unpacked else {
                return .failure(RPCError(.invalidArgument, "malformed \(messageName): the bytes are not a valid protobuf encoding of this message"))
            }
            defer { cFreeUnpacked(message) }
            // A string cut short at a U+0000 packs smaller than it arrived (ProtobufCStrings).
            if cPackedSize(message) < raw.count, let descriptor = ProtobufCStrings.descriptor(of: message),
               let field = ProtobufCStrings.fieldHoldingNUL(raw.bindMemory(to: UInt8.self), descriptor: descriptor) {
                return .failure(RPCError(.invalidArgument, "field \(field) contains U+0000 (NUL), which the API does not accept in a string"))
            }
            do throws(RPCError) {
                return .success(try Self(reading: message))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Encodes this message with protobuf-c straight into `buffer`.
    /// - Throws: `RPCError(.invalidArgument)` when a field cannot be represented (a string holding U+0000).
    public func encode(into buffer: inout ByteBuffer) throws(RPCError) {
        let arena = ProtobufCArena()
        defer { arena.releaseAll() }
        let message = arena.allocate(CMessage.self)
        Self.cInit(message)
        try self.fill(message, arena: arena)
        let size = Self.cPackedSize(message)
        let written = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            Self.cPack(message, raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard written == size else {
            throw RPCError(.internalError, "protobuf-c packed \(written) bytes of \(Self.messageName), expected \(size)")
        }
    }

    /// The message encoded as bytes (tests and tools).
    public func serializedBytes() throws(RPCError) -> [UInt8] {
        var buffer = ByteBuffer()
        try self.encode(into: &buffer)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// Decodes a message from bytes (tests and tools).
    public init(serializedBytes bytes: [UInt8]) throws(RPCError) {
        self = try Self.decode(from: ByteBuffer(bytes: bytes))
    }
}

/// Owns the C memory used to build one message for packing, and frees it all at once.
///
/// protobuf-c's pack only reads the struct, so building it from short-lived allocations
/// that one owner releases after packing keeps every path leak-free.
public final class ProtobufCArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    init() {
        self.allocations.reserveCapacity(8)
    }

    deinit { self.releaseAll() }

    /// Frees everything allocated so far.
    func releaseAll() {
        for pointer in self.allocations { free(pointer) }
        self.allocations.removeAll(keepingCapacity: true)
    }

    private func raw(byteCount: Int) -> UnsafeMutableRawPointer {
        guard let pointer = calloc(1, max(byteCount, 1)) else { fatalError("out of memory allocating \(byteCount) bytes") }
        self.allocations.append(pointer)
        return pointer
    }

    /// Zeroed memory for one `T`.
    func allocate<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        self.raw(byteCount: MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: 1)
    }

    /// A NUL-terminated copy of `string` for a `char *` field.
    /// - Throws: `RPCError(.invalidArgument)` if the string holds U+0000, which a C string cannot carry
    ///   (the API refuses it: PROTOCOL.md "Strings").
    public func string(_ string: String, field: String) throws(RPCError) -> UnsafeMutablePointer<CChar> {
        var string = string
        let pointer: UnsafeMutablePointer<CChar>? = string.withUTF8 { utf8 in
            if utf8.contains(0) { return nil }
            let out = self.raw(byteCount: utf8.count + 1).bindMemory(to: CChar.self, capacity: utf8.count + 1)
            if let base = utf8.baseAddress {
                UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: utf8.count)
            }
            out[utf8.count] = 0
            return out
        }
        guard let pointer else {
            throw RPCError(.invalidArgument, "field \(field) contains U+0000 (NUL), which the API does not accept in a string")
        }
        return pointer
    }

    /// A copy of `bytes` for a `bytes` field.
    public func bytes(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        let out = self.raw(byteCount: bytes.count).bindMemory(to: UInt8.self, capacity: bytes.count)
        bytes.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { out.update(from: base, count: bytes.count) }
        }
        return ProtobufCBinaryData(len: bytes.count, data: out)
    }

    /// A C struct for a nested message field.
    public func message<M: ProtobufCBridgedMessage>(_ value: M) throws(RPCError) -> UnsafeMutablePointer<M.CMessage> {
        let pointer = self.allocate(M.CMessage.self)
        M.cInit(pointer)
        try value.fill(pointer, arena: self)
        return pointer
    }

    /// A C array for a repeated field, each element converted by `convert`.
    public func array<Element, C>(_ values: [Element], _ convert: (Element) throws(RPCError) -> C) throws(RPCError) -> UnsafeMutablePointer<C>? {
        guard !values.isEmpty else { return nil }
        let pointer = self.raw(byteCount: MemoryLayout<C>.stride * values.count).bindMemory(to: C.self, capacity: values.count)
        for (index, value) in values.enumerated() {
            (pointer + index).initialize(to: try convert(value))
        }
        return pointer
    }
}

/// Helpers the generated code uses to read unpacked C structs.
public enum ProtobufCBridge {
    /// A Swift string from a `char *` field, rejecting invalid UTF-8 rather than repairing it (M8).
    public static func string(_ pointer: UnsafeMutablePointer<CChar>?, field: String) throws(RPCError) -> String {
        guard let pointer else { return "" }
        let length = strlen(pointer)
        let bytes = UnsafeRawBufferPointer(start: pointer, count: length).bindMemory(to: UInt8.self)
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw RPCError(.invalidArgument, "field \(field) is not valid UTF-8")
        }
        return string
    }

    /// A byte array from a `bytes` field.
    public static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let base = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: base, count: data.len))
    }

    /// A nested message from a repeated-message element.
    public static func message<M: ProtobufCBridgedMessage>(_ pointer: UnsafeMutablePointer<M.CMessage>?, as: M.Type, field: String) throws(RPCError) -> M {
        guard let pointer else { throw RPCError(.invalidArgument, "field \(field) holds a missing message") }
        return try M(reading: pointer)
    }

    /// A Swift array from a C array of `count` elements.
    public static func array<C, Element>(_ pointer: UnsafeMutablePointer<C>?, count: Int, _ convert: (C) throws(RPCError) -> Element) throws(RPCError) -> [Element] {
        guard count > 0, let pointer else { return [] }
        var result: [Element] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            result.append(try convert(pointer[index]))
        }
        return result
    }

    /// The error for an enum value that this version of the API does not define.
    public static func unknownEnumValue(_ value: Int64, enumName: String, field: String) -> RPCError {
        RPCError(.invalidArgument, "field \(field) has unknown \(enumName) value \(value)")
    }
}
