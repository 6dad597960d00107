import NIOCore

/// Decides whether a peer pings too often (docs/PROTOCOL.md, §7 "PING/PONG"), the way gRPC servers
/// police keepalive (gRFC A8; grpc-swift-nio-transport's server connection state machine).
///
/// A PING is fine when it comes at least `minimumInterval` after the last fine one, or when the
/// server has sent call data (a RESPONSE or STATUS) since then. Any other PING is a strike; the
/// first PING is always fine. More than `maxStrikes` strikes and the connection is closed with
/// GOAWAY `TOO_MANY_PINGS`. A plain value: time is passed in, so it is tested without a clock.
struct PingPolicy: Sendable {
    let minimumInterval: TimeAmount
    let maxStrikes: Int
    private(set) var strikes = 0
    private var lastAcceptedPing: NIODeadline?

    init(minimumInterval: TimeAmount, maxStrikes: Int) {
        self.minimumInterval = minimumInterval
        self.maxStrikes = maxStrikes
    }

    enum Verdict: Equatable {
        /// Answer it with a PONG.
        case answer
        /// Close the connection with GOAWAY `TOO_MANY_PINGS`.
        case tooManyPings
    }

    /// A PING arrived at `now`.
    mutating func receivedPing(at now: NIODeadline) -> Verdict {
        if let last = self.lastAcceptedPing, now < last + self.minimumInterval {
            self.strikes += 1
            return self.strikes > self.maxStrikes ? .tooManyPings : .answer
        }
        self.lastAcceptedPing = now
        return .answer
    }

    /// The server sent call data: pings are welcome again, and strikes are forgiven.
    mutating func sentData() {
        self.strikes = 0
        self.lastAcceptedPing = nil
    }
}
