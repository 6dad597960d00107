import NIOCore

/// Constants of the MMS wire protocol (docs/PROTOCOL.md, "Connection preface" and "Limits").
public enum WireProtocol {
    /// The six ASCII bytes every connection starts with, in both directions: `MMSRPC`.
    public static let magic: [UInt8] = Array("MMSRPC".utf8)

    /// The protocol version this code speaks. Peers must agree on the major version;
    /// a higher minor version only adds things a lower one may ignore.
    /// 1.1 adds the last call id of GOAWAY (docs/PROTOCOL.md, §7).
    public static let version = ProtocolVersion(major: 1, minor: 1)

    /// The length of the preface: magic, then major and minor version bytes.
    public static let prefaceLength = 8

    /// The length of every frame header: length (4), type (1), flags (1), call id (4).
    public static let frameHeaderLength = 10

    /// The default largest frame payload a peer accepts: 4 MiB, as gRPC's default message limit.
    public static let defaultMaxFramePayload = 4 * 1024 * 1024

    /// The default cap on a call's metadata, keys and values together: 8 KiB, as gRPC's default.
    public static let defaultMaxMetadataSize = 8 * 1024

    /// The ALPN protocol name of MMS RPC over TLS (docs/PROTOCOL.md, "TLS").
    public static let tlsApplicationProtocol = "mms/1"

    /// True when `bytes` start like a TLS record carrying a handshake (a ClientHello or
    /// ServerHello): content type 22, then a 3.x protocol version.
    public static func looksLikeTLS(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        guard iterator.next() == 0x16 else { return false }
        guard let major = iterator.next() else { return true }
        return major == 0x03
    }

    /// Writes the preface (magic and `version`) to `buffer`; the same as ``FrameEncoder/writePreface(into:version:)``.
    public static func writePreface(into buffer: inout ByteBuffer, version: ProtocolVersion = WireProtocol.version) {
        FrameEncoder().writePreface(into: &buffer, version: version)
    }
}

/// A protocol version: major versions are incompatible with each other, minor ones are not.
public struct ProtocolVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: UInt8
    public var minor: UInt8

    public init(major: UInt8, minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    public var description: String { "\(major).\(minor)" }
}
