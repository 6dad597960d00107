import NIOCore

/// A message that can travel in a frame. The RPC layer knows nothing else about messages:
/// the protobuf-c bridge in MMSMessages conforms every API message to this.
public protocol WireMessage: Sendable {
    /// Decodes a message from all the readable bytes of `buffer`.
    /// - Throws: `RPCError` with `INVALID_ARGUMENT` naming what is malformed.
    static func decode(from buffer: ByteBuffer) throws(RPCError) -> Self

    /// Appends the encoded message to `buffer`.
    /// - Throws: `RPCError` with `INTERNAL` when the message cannot be encoded.
    func encode(into buffer: inout ByteBuffer) throws(RPCError)
}

/// A unary method: one request, one response. Identified on the wire by its full name.
public struct UnaryMethod<Request: WireMessage, Response: WireMessage>: Sendable, Hashable {
    /// `package.Service/Method`, e.g. `mms.v1.Health/Check`.
    public let fullName: String
    public init(fullName: String) { self.fullName = fullName }
}

/// A server-streaming method: one request, then any number of responses before the status.
public struct ServerStreamingMethod<Request: WireMessage, Response: WireMessage>: Sendable, Hashable {
    /// `package.Service/Method`.
    public let fullName: String
    public init(fullName: String) { self.fullName = fullName }
}

/// Raw bytes as a message, for tests and tools that do their own encoding.
public struct RawMessage: WireMessage, Hashable {
    public var bytes: ByteBuffer
    public init(_ bytes: ByteBuffer) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = ByteBuffer(string: string) }

    public static func decode(from buffer: ByteBuffer) throws(RPCError) -> RawMessage { RawMessage(buffer) }
    public func encode(into buffer: inout ByteBuffer) throws(RPCError) { buffer.writeImmutableBuffer(self.bytes) }
}
