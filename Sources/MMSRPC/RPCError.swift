@_exported import MMSWire

/// gRPC's status codes, with the same numbers and meanings (docs/PROTOCOL.md, "Status codes").
public struct StatusCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let ok = StatusCode(rawValue: 0)
    public static let cancelled = StatusCode(rawValue: 1)
    public static let unknown = StatusCode(rawValue: 2)
    public static let invalidArgument = StatusCode(rawValue: 3)
    public static let deadlineExceeded = StatusCode(rawValue: 4)
    public static let notFound = StatusCode(rawValue: 5)
    public static let alreadyExists = StatusCode(rawValue: 6)
    public static let permissionDenied = StatusCode(rawValue: 7)
    public static let resourceExhausted = StatusCode(rawValue: 8)
    public static let failedPrecondition = StatusCode(rawValue: 9)
    public static let aborted = StatusCode(rawValue: 10)
    public static let outOfRange = StatusCode(rawValue: 11)
    public static let unimplemented = StatusCode(rawValue: 12)
    public static let internalError = StatusCode(rawValue: 13)
    public static let unavailable = StatusCode(rawValue: 14)
    public static let dataLoss = StatusCode(rawValue: 15)
    public static let unauthenticated = StatusCode(rawValue: 16)

    /// Every code, in numeric order.
    public static let all: [StatusCode] = (0...16).map { StatusCode(rawValue: $0) }

    /// The code's name as gRPC writes it, e.g. `INVALID_ARGUMENT`.
    public var name: String {
        let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
            "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
            "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
        ]
        return Int(rawValue) < names.count ? names[Int(rawValue)] : "CODE_\(rawValue)"
    }

    public var description: String { name }
}

/// The error a call ends with: a status code, a message for people, optional details and metadata.
///
/// Handlers throw it to choose the status their caller sees; clients receive it when a
/// call does not end with OK.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    /// Opaque bytes with more about the error; often empty.
    public var details: [UInt8]
    /// Trailing metadata sent with the status.
    public var metadata: Metadata

    public init(_ code: StatusCode, _ message: String, details: [UInt8] = [], metadata: Metadata = Metadata()) {
        self.code = code
        self.message = message
        self.details = details
        self.metadata = metadata
    }

    public var description: String { message.isEmpty ? code.name : "\(code.name): \(message)" }
}

/// An error that knows the status a caller should see (as grpc-swift-2's `RPCErrorConvertible`):
/// a layer that is not RPC (storage, a connector) is mapped once, where the server is assembled,
/// instead of ending as `UNKNOWN` "the handler failed".
public protocol RPCErrorConvertible: Error {
    /// The status to answer with.
    var rpcError: RPCError { get }
}
