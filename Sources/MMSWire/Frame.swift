import NIOCore

/// The kind of a frame, its byte 4 on the wire.
public struct FrameType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Connection settings (limits a peer announces). Call id 0.
    public static let settings = FrameType(rawValue: 0x01)
    /// Opens a call: method, timeout, metadata and the whole request message. Client to server.
    public static let request = FrameType(rawValue: 0x02)
    /// One response message of a call. Server to client.
    public static let response = FrameType(rawValue: 0x03)
    /// The final status of a call, which ends it. Server to client.
    public static let status = FrameType(rawValue: 0x04)
    /// Cancels one call. Client to server; the server still answers with a status.
    public static let cancel = FrameType(rawValue: 0x05)
    /// Keepalive probe, 8 opaque bytes. Either direction, call id 0.
    public static let ping = FrameType(rawValue: 0x06)
    /// Answer to a ping, echoing its 8 bytes. Either direction, call id 0.
    public static let pong = FrameType(rawValue: 0x07)
    /// The sender is going away: no new calls; an error code says whether it is graceful. Call id 0.
    public static let goAway = FrameType(rawValue: 0x08)

    /// True for the frame types of protocol version 1.0 (0x01 to 0x08).
    @inlinable
    public var isKnown: Bool { (0x01...0x08).contains(self.rawValue) }

    /// True for frames about the connection rather than one call: they carry call id 0.
    @inlinable
    public var isConnectionLevel: Bool {
        self == .settings || self == .ping || self == .pong || self == .goAway
    }

    public var description: String {
        switch self {
        case .settings: return "SETTINGS"
        case .request: return "REQUEST"
        case .response: return "RESPONSE"
        case .status: return "STATUS"
        case .cancel: return "CANCEL"
        case .ping: return "PING"
        case .pong: return "PONG"
        case .goAway: return "GOAWAY"
        default: return "0x" + String(rawValue, radix: 16)
        }
    }
}

/// Flag bits of a frame, its byte 5 on the wire.
public struct FrameFlags: OptionSet, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// On a RESPONSE frame: this message ends the call with status OK and no trailing metadata,
    /// so no STATUS frame follows. Saves a frame on every successful unary call.
    public static let endOK = FrameFlags(rawValue: 0x01)
}

/// One frame: a fixed 10-byte header and a payload whose meaning depends on the type.
public struct Frame: Sendable, Hashable {
    public var type: FrameType
    public var flags: FrameFlags
    /// The call the frame belongs to; 0 for connection-level frames.
    public var callID: UInt32
    public var payload: ByteBuffer

    public init(type: FrameType, flags: FrameFlags = [], callID: UInt32, payload: ByteBuffer) {
        self.type = type
        self.flags = flags
        self.callID = callID
        self.payload = payload
    }
}
