import MMSWire

/// Settings of an `RPCServer`, with defaults that suit one machine serving admins and services.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port to listen on; 0 picks a free one (tests).
    public var port: Int
    /// Limits that protect the server from a peer (docs/PROTOCOL.md, "Limits").
    public var limits: Limits
    /// Timers of a connection.
    public var timeouts: Timeouts
    /// Threads of the event loop group the server creates when none is given; 0 = one per core.
    public var eventLoopThreads: Int
    /// Where call handlers run.
    public var handlerExecution: HandlerExecution = .connectionEventLoop
    /// TLS on the port (and mutual TLS when it names client CAs); nil = plain TCP.
    public var tls: ServerTLS?
    /// Told of every call and connection (metrics); nil, the default, costs nothing.
    public var observer: (any RPCServerObserver)?
    /// The observers of the router's methods, by route index; filled in by `RPCServer`.
    var methodObservers: [any RPCMethodObserver] = []

    /// Where call handlers run (docs/PERFORMANCE.md compares the two).
    public enum HandlerExecution: Sendable {
        /// On the connection's event loop, as a Swift task executor: no thread hop per call.
        case connectionEventLoop
        /// On Swift concurrency's global executor: a hop to another thread and back per call.
        case globalExecutor
    }

    public init(host: String = "127.0.0.1", port: Int = 7450, limits: Limits = .defaults, timeouts: Timeouts = .defaults, eventLoopThreads: Int = 0) {
        self.host = host
        self.port = port
        self.limits = limits
        self.timeouts = timeouts
        self.eventLoopThreads = eventLoopThreads
    }

    /// Listens on 127.0.0.1:7450 with the default limits and timeouts.
    public static var defaults: ServerConfiguration { ServerConfiguration() }

    /// Resource limits; each is answered as docs/PROTOCOL.md says, never with unbounded buffering.
    public struct Limits: Sendable {
        /// Largest frame payload accepted (a larger one closes the connection with FRAME_TOO_LARGE).
        public var maxFramePayload: Int
        /// Calls in flight on one connection; one more is answered RESOURCE_EXHAUSTED.
        public var maxConcurrentCallsPerConnection: Int
        /// Open connections; one more is refused with a GOAWAY(RESOURCE_EXHAUSTED).
        public var maxConnections: Int
        /// Request metadata, keys and values together; more is answered RESOURCE_EXHAUSTED.
        public var maxMetadataSize: Int

        public init(maxFramePayload: Int, maxConcurrentCallsPerConnection: Int, maxConnections: Int, maxMetadataSize: Int) {
            self.maxFramePayload = maxFramePayload
            self.maxConcurrentCallsPerConnection = maxConcurrentCallsPerConnection
            self.maxConnections = maxConnections
            self.maxMetadataSize = maxMetadataSize
        }

        /// 4 MiB frames, 1,024 calls per connection, 1,024 connections, 8 KiB of metadata.
        public static var defaults: Limits {
            Limits(
                maxFramePayload: WireProtocol.defaultMaxFramePayload,
                maxConcurrentCallsPerConnection: 1024,
                maxConnections: 1024,
                maxMetadataSize: WireProtocol.defaultMaxMetadataSize
            )
        }
    }

    /// Timers of a connection.
    public struct Timeouts: Sendable {
        /// How long a new connection may take to send its preface.
        public var preface: Duration
        /// A connection with no call in flight this long is closed (GOAWAY IDLE_TIMEOUT).
        public var idle: Duration
        /// The server pings a connection this often; a peer that has not answered the previous ping by then is closed.
        public var keepaliveInterval: Duration
        /// After a graceful shutdown starts, how long calls in flight may take before they are cut off.
        public var shutdownGracePeriod: Duration
        /// How long the server waits for the PONG of its keepalive PING before it closes the
        /// connection with GOAWAY `KEEPALIVE_TIMEOUT`.
        public var keepaliveTimeout: Duration
        /// Ping policing (gRPC's rule): a client PING sooner than this after the last one, with no
        /// call data sent by the server in between, is a strike.
        public var minimumPingInterval: Duration
        /// Strikes tolerated; one more closes the connection with GOAWAY `TOO_MANY_PINGS`.
        public var maxPingStrikes: Int

        public init(
            preface: Duration, idle: Duration, keepaliveInterval: Duration, shutdownGracePeriod: Duration,
            keepaliveTimeout: Duration = .seconds(20), minimumPingInterval: Duration = .seconds(10), maxPingStrikes: Int = 2
        ) {
            self.preface = preface
            self.idle = idle
            self.keepaliveInterval = keepaliveInterval
            self.shutdownGracePeriod = shutdownGracePeriod
            self.keepaliveTimeout = keepaliveTimeout
            self.minimumPingInterval = minimumPingInterval
            self.maxPingStrikes = maxPingStrikes
        }

        /// 10 s preface, 15 min idle, a keepalive PING every 60 s answered within 20 s, 10 s grace
        /// period; client PINGs at most every 10 s without call data, 2 strikes tolerated.
        public static var defaults: Timeouts {
            Timeouts(preface: .seconds(10), idle: .seconds(900), keepaliveInterval: .seconds(60), shutdownGracePeriod: .seconds(10))
        }
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at Int64's range.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = self.components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product.addingReportingOverflow(attoseconds / 1_000_000_000).overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
