import NIOCore

/// What the decoder yields: first the peer's preface, then its frames.
public enum InboundEvent: Sendable, Hashable {
    case preface(ProtocolVersion)
    case frame(Frame)
}

/// Decodes the byte stream of one connection: the 8-byte preface, then frames.
///
/// The length in each header is checked against `maxPayload` before a single payload
/// byte is buffered, so a peer cannot make us hold more than one frame's worth of
/// memory. Frame types and call ids are checked here too; which frames may flow in
/// which direction is the connection handler's business.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = InboundEvent

    private var sawPreface = false
    private let maxPayload: Int

    /// - Parameter maxPayload: the largest frame payload accepted; a larger one is a connection error.
    public init(maxPayload: Int = WireProtocol.defaultMaxFramePayload) {
        self.maxPayload = maxPayload
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> InboundEvent? {
        if !self.sawPreface {
            return try self.decodePreface(buffer: &buffer)
        }
        return try self.decodeFrame(buffer: &buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> InboundEvent? {
        if let event = try self.decode(buffer: &buffer) {
            return event
        }
        if seenEOF, buffer.readableBytes > 0 {
            let what = self.sawPreface ? "a frame" : "the preface"
            throw WireError(code: .protocolError, message: "connection closed in the middle of \(what) (\(buffer.readableBytes) bytes left over)")
        }
        return nil
    }

    private mutating func decodePreface(buffer: inout ByteBuffer) throws -> InboundEvent? {
        // Compare the magic byte by byte as it arrives, so a foreign peer is told at once.
        let available = min(buffer.readableBytes, WireProtocol.magic.count)
        if let seen = buffer.getBytes(at: buffer.readerIndex, length: available), seen != Array(WireProtocol.magic.prefix(available)) {
            let firstBytes = buffer.getBytes(at: buffer.readerIndex, length: min(buffer.readableBytes, 16)) ?? seen
            throw Self.badPreface(firstBytes)
        }
        guard buffer.readableBytes >= WireProtocol.prefaceLength else { return nil }
        buffer.moveReaderIndex(forwardBy: WireProtocol.magic.count)
        let (major, minor) = buffer.readMultipleIntegers(as: (UInt8, UInt8).self)!
        self.sawPreface = true
        return .preface(ProtocolVersion(major: major, minor: minor))
    }

    private func decodeFrame(buffer: inout ByteBuffer) throws -> InboundEvent? {
        guard let (length, typeByte, flagsByte, callID) = buffer.getMultipleIntegers(
            at: buffer.readerIndex, as: (UInt32, UInt8, UInt8, UInt32).self
        ) else {
            return nil
        }
        let type = FrameType(rawValue: typeByte)
        guard type.isKnown else {
            throw WireError(code: .protocolError, message: "unknown frame type \(type) (this peer speaks protocol \(WireProtocol.version))")
        }
        guard Int(length) <= self.maxPayload else {
            throw WireError(
                code: .frameTooLarge,
                message: "\(type) frame of \(length) bytes is over the limit of \(self.maxPayload) bytes"
            )
        }
        if type.isConnectionLevel, callID != 0 {
            throw WireError(code: .protocolError, message: "\(type) frame must have call id 0, not \(callID)")
        }
        if !type.isConnectionLevel, callID == 0 {
            throw WireError(code: .protocolError, message: "\(type) frame must have a non-zero call id")
        }
        guard buffer.readableBytes >= WireProtocol.frameHeaderLength + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: WireProtocol.frameHeaderLength)
        let payload = buffer.readSlice(length: Int(length))!
        return .frame(Frame(type: type, flags: FrameFlags(rawValue: flagsByte), callID: callID, payload: payload))
    }

    private static func badPreface(_ firstBytes: [UInt8]) -> WireError {
        let printable = String(decoding: firstBytes.map { (0x20..<0x7F).contains($0) ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
        let httpMethods = ["GET ", "POST", "PUT ", "HEAD", "PRI ", "DELE", "OPTI", "PATC", "CONN", "TRAC"]
        let looksLikeHTTP = httpMethods.contains { printable.hasPrefix($0) }
        if WireProtocol.looksLikeTLS(firstBytes) {
            return WireError(
                code: .badPreface,
                message: "the peer started a TLS handshake, but this port speaks the MMS RPC protocol in plain text "
                    + "(mms-server was started without --tls-certificate): connect without TLS, or start the server with TLS")
        }
        let hint = looksLikeHTTP
            ? "this looks like HTTP; this port speaks the MMS RPC protocol (use the mms client)"
            : "expected the MMS preface \"MMSRPC\" followed by a version"
        return WireError(code: .badPreface, message: "bad connection preface \"\(printable)\": \(hint)", looksLikeHTTP: looksLikeHTTP)
    }
}
