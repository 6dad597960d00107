import MMSRPC
import MMSWire

/// What an `RPCServer` tells an observer (metrics, see MMSServer's `RPCMetrics`), at the few
/// points where a call or a connection starts and ends. Without one the server does no such work.
///
/// Kept cheap for the hot path: the server asks once, when it is built, for one
/// ``RPCMethodObserver`` per registered method and keeps it beside the method's handler, so a
/// call costs two calls on that object and one clock reading, never a lookup by name.
public protocol RPCServerObserver: Sendable {
    /// The observer of one registered method (asked once per method, when the server is built).
    func methodObserver(for method: String) -> any RPCMethodObserver
    /// A call answered before it reached a handler: an unknown method, a malformed head, or
    /// the connection's limit of calls in flight.
    func callRefused(code: StatusCode)
    /// A connection was admitted.
    func connectionOpened()
    /// An admitted connection closed.
    func connectionClosed()
    /// The server closed a connection because of what the peer sent (or refused it over the
    /// connection limit): `reason` is the GOAWAY code, or nil for an HTTP request on the port.
    func connectionRejected(reason: GoAwayCode?)
}

/// The observer of one method.
public protocol RPCMethodObserver: Sendable {
    /// A call of the method reached its handler.
    func callStarted()
    /// The call ended with `code` after `nanoseconds` (from its request to its last frame).
    func callEnded(code: StatusCode, nanoseconds: Int64)
}
