import NIOCore

/// A value too long for the length field the protocol gives it. The frame is not sent; nothing
/// is ever truncated to fit.
public struct FrameEncodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { self.message }
}

/// Builds every frame this protocol sends, the twin of ``FrameDecoder`` (docs/PROTOCOL.md, §1–§7).
///
/// Stateless: each method appends one preface or frame to a buffer the caller owns, so many
/// frames can be coalesced into one write. A length that does not fit its field throws
/// ``FrameEncodingError``; it is never cut to fit.
public struct FrameEncoder: Sendable {
    public init() {}

    /// Appends the 8-byte preface: magic, then the version.
    public func writePreface(into buffer: inout ByteBuffer, version: ProtocolVersion = WireProtocol.version) {
        buffer.writeBytes(WireProtocol.magic)
        buffer.writeMultipleIntegers(version.major, version.minor)
    }

    /// Appends a frame with `payload`.
    /// - Throws: ``FrameEncodingError`` when the payload is longer than a u32 length.
    public func writeFrame(_ frame: Frame, into buffer: inout ByteBuffer) throws(FrameEncodingError) {
        try buffer.writeFrameHeader(type: frame.type, flags: frame.flags, callID: frame.callID, length: frame.payload.readableBytes)
        buffer.writeImmutableBuffer(frame.payload)
    }

    /// Appends a SETTINGS frame.
    public func writeSettings(_ settings: ConnectionSettings, into buffer: inout ByteBuffer) {
        let start = buffer.reserveFrameHeader()
        buffer.writeSettings(settings)
        try! buffer.completeFrameHeader(at: start, type: .settings, callID: 0)  // 18 bytes: always fits
    }

    /// Appends a PING frame with its 8 bytes.
    public func writePing(_ data: UInt64, into buffer: inout ByteBuffer) {
        try! buffer.writeFrameHeader(type: .ping, callID: 0, length: 8)
        buffer.writeInteger(data)
    }

    /// Appends the PONG that answers a PING carrying `data`.
    public func writePong(_ data: UInt64, into buffer: inout ByteBuffer) {
        try! buffer.writeFrameHeader(type: .pong, callID: 0, length: 8)
        buffer.writeInteger(data)
    }

    /// Appends a GOAWAY frame. Its reason is for people and is cut to ``GoAwayPayload/maxReasonBytes``
    /// at a character boundary (the one deliberate cut: the field could hold more).
    public func writeGoAway(_ goAway: GoAwayPayload, into buffer: inout ByteBuffer) {
        let start = buffer.reserveFrameHeader()
        buffer.writeGoAwayPayload(goAway)
        try! buffer.completeFrameHeader(at: start, type: .goAway, callID: 0)  // at most 1,034 bytes
    }

    /// Appends a CANCEL frame for `callID`.
    public func writeCancel(callID: UInt32, into buffer: inout ByteBuffer) {
        try! buffer.writeFrameHeader(type: .cancel, callID: callID, length: 0)
    }

    /// Appends a STATUS frame ending call `callID`.
    /// - Throws: ``FrameEncodingError`` when the message, the details or a metadata entry does not
    ///   fit its length field; the buffer is then left as it was.
    public func writeStatus(_ status: StatusPayload, callID: UInt32, into buffer: inout ByteBuffer) throws(FrameEncodingError) {
        let start = buffer.reserveFrameHeader()
        do throws(FrameEncodingError) {
            try buffer.writeStatusPayload(status)
            try buffer.completeFrameHeader(at: start, type: .status, callID: callID)
        } catch {
            buffer.moveWriterIndex(to: start)
            throw error
        }
    }
}

extension ByteBuffer {
    /// Appends a frame header for a payload of `length` bytes.
    /// - Throws: ``FrameEncodingError`` when `length` does not fit the header's u32.
    @inlinable
    public mutating func writeFrameHeader(type: FrameType, flags: FrameFlags = [], callID: UInt32, length: Int) throws(FrameEncodingError) {
        guard let length32 = UInt32(exactly: length) else {
            throw FrameEncodingError("\(type) payload of \(length) bytes does not fit a frame's 32-bit length")
        }
        self.writeMultipleIntegers(length32, type.rawValue, flags.rawValue, callID)
    }

    /// Appends a whole frame.
    /// - Throws: ``FrameEncodingError`` when the payload does not fit a frame's 32-bit length.
    @inlinable
    public mutating func writeFrame(_ frame: Frame) throws(FrameEncodingError) {
        try FrameEncoder().writeFrame(frame, into: &self)
    }

    /// Reserves room for a frame header at the writer index and returns where it starts;
    /// write the payload next, then call `completeFrameHeader(at:type:flags:callID:)`.
    /// This lets a message be encoded straight into the outgoing buffer, with no copy.
    @inlinable
    public mutating func reserveFrameHeader() -> Int {
        let start = self.writerIndex
        self.writeRepeatingByte(0, count: WireProtocol.frameHeaderLength)
        return start
    }

    /// Fills in the header reserved at `start`, its length being everything written after it.
    /// - Throws: ``FrameEncodingError`` when that length does not fit a frame's 32-bit length.
    @inlinable
    public mutating func completeFrameHeader(at start: Int, type: FrameType, flags: FrameFlags = [], callID: UInt32) throws(FrameEncodingError) {
        let length = self.writerIndex - start - WireProtocol.frameHeaderLength
        guard let length32 = UInt32(exactly: length) else {
            throw FrameEncodingError("\(type) payload of \(length) bytes does not fit a frame's 32-bit length")
        }
        self.setMultipleIntegers(length32, type.rawValue, flags.rawValue, callID, at: start)
    }
}
