/// Why a connection is being closed, as carried in a GOAWAY frame (docs/PROTOCOL.md, "GOAWAY").
public struct GoAwayCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Graceful: the sender accepts no new calls; calls in flight finish.
    public static let noError = GoAwayCode(rawValue: 0)
    /// The peer broke the framing rules (bad call id, frame in the wrong direction, malformed control frame).
    public static let protocolError = GoAwayCode(rawValue: 1)
    /// A frame header announced a payload above the receiver's limit.
    public static let frameTooLarge = GoAwayCode(rawValue: 2)
    /// The preface's major version is not one the receiver speaks.
    public static let unsupportedVersion = GoAwayCode(rawValue: 3)
    /// The connection was refused or closed because of a resource limit (too many connections).
    public static let resourceExhausted = GoAwayCode(rawValue: 4)
    /// The connection had no call in flight for the idle timeout.
    public static let idleTimeout = GoAwayCode(rawValue: 5)
    /// The peer did not answer a keepalive ping in time.
    public static let keepaliveTimeout = GoAwayCode(rawValue: 6)
    /// The sender failed in a way that is not the peer's fault.
    public static let internalError = GoAwayCode(rawValue: 7)
    /// The first bytes were not the MMS preface.
    public static let badPreface = GoAwayCode(rawValue: 8)
    /// The peer sent more PINGs than the receiver's ping policy allows (HTTP/2's ENHANCE_YOUR_CALM
    /// with "too_many_pings", as gRPC does).
    public static let tooManyPings = GoAwayCode(rawValue: 9)

    public var description: String {
        switch self {
        case .noError: return "NO_ERROR"
        case .protocolError: return "PROTOCOL_ERROR"
        case .frameTooLarge: return "FRAME_TOO_LARGE"
        case .unsupportedVersion: return "UNSUPPORTED_VERSION"
        case .resourceExhausted: return "RESOURCE_EXHAUSTED"
        case .idleTimeout: return "IDLE_TIMEOUT"
        case .keepaliveTimeout: return "KEEPALIVE_TIMEOUT"
        case .internalError: return "INTERNAL_ERROR"
        case .badPreface: return "BAD_PREFACE"
        case .tooManyPings: return "TOO_MANY_PINGS"
        default: return "GOAWAY_CODE_\(rawValue)"
        }
    }
}

/// A fault of the framing itself: the connection cannot go on and is closed after a GOAWAY.
public struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The code sent in the GOAWAY frame.
    public var code: GoAwayCode
    /// What went wrong, in words the peer's operator can act on.
    public var message: String
    /// True when the peer's first bytes look like an HTTP request: the server then answers in HTTP.
    public var looksLikeHTTP: Bool

    public init(code: GoAwayCode, message: String, looksLikeHTTP: Bool = false) {
        self.code = code
        self.message = message
        self.looksLikeHTTP = looksLikeHTTP
    }

    public var description: String { "\(code): \(message)" }
}
