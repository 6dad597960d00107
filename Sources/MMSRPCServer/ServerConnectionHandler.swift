import Logging
import MMSRPC
import MMSWire
import NIOCore

/// Serves the calls of one connection (docs/PROTOCOL.md).
///
/// Everything here runs on the connection's event loop. Each call's handler runs in a task
/// whose executor is that same loop, so its answer is written without a thread hop; writes
/// made while reading are flushed once at the end of the read, and writes made by handler
/// tasks are flushed once per turn of the loop.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = InboundEvent
    typealias OutboundOut = ByteBuffer

    /// Sent down a connection's pipeline to start its graceful shutdown.
    struct DrainEvent: Sendable {}

    /// One call in flight.
    final class Call {
        let id: UInt32
        /// Server-streaming calls may be open-ended (a watch), so a shutdown ends them at once.
        let isStreaming: Bool
        var task: Task<Void, Never>?
        /// When the call's deadline passes, and its timeout as the client gave it (for the message).
        var deadline: NIODeadline?
        var timeoutMicroseconds: UInt64 = 0
        /// The method and when the call started, kept only when calls are logged (debug).
        var method = ""
        var started: NIODeadline?
        /// Told when the call ends (metrics), with the uptime at which it started; nil without metrics.
        var observer: (any RPCMethodObserver)?
        var startedAt: UInt64 = 0
        init(id: UInt32, isStreaming: Bool) {
            self.id = id
            self.isStreaming = isStreaming
        }
    }

    enum State {
        case awaitingPreface
        case active
        case draining
        case closed
    }

    let router: RPCRouter
    let configuration: ServerConfiguration
    var logger: Logger
    var state = State.awaitingPreface
    var context: ChannelHandlerContext?
    var executor: EventLoopTaskExecutor?
    var peer = "unknown"

    var calls: [UInt32: Call] = [:]
    /// Handler tasks not yet returned, including those of calls already answered
    /// (cancelled, past their deadline): they count against the concurrency limit until they return.
    var runningTasks = 0
    var clientMaxFramePayload = WireProtocol.defaultMaxFramePayload

    var inRead = false
    var flushScheduled = false
    var writabilityWaiters: [CheckedContinuation<Void, Never>] = []

    var prefaceTimer: Scheduled<Void>?
    var idleTimer: Scheduled<Void>?
    /// One timer for all deadlines of the connection, set for the earliest; see `armDeadlineTimer`.
    var deadlineTimer: Scheduled<Void>?
    var deadlineTimerAt: NIODeadline?
    /// When the connection last became idle (no call in flight); nil while calls run.
    var idleSince: NIODeadline?
    var keepaliveTimer: RepeatedTask?
    /// Set while our keepalive PING awaits its PONG: fires after `keepaliveTimeout`.
    var keepaliveTimeoutTimer: Scheduled<Void>?
    var graceTimer: Scheduled<Void>?
    var pingPolicy: PingPolicy
    let encoder = FrameEncoder()
    /// The client's protocol version, from its preface.
    var clientVersion = ProtocolVersion(major: 0, minor: 0)
    /// The highest call id the client has sent (ids grow on a connection, docs/PROTOCOL.md §4).
    var highestCallID: UInt32 = 0
    /// Once our graceful GOAWAY is sent: the last call id it names. Calls above it are not run.
    var lastCallIDAccepted: UInt32?

    /// True when the log level is debug or lower: each call's end is logged (method, status, duration).
    let logsCalls: Bool

    /// Counts the handlers alive on this server; see `LiveCounter`.
    let liveHandlers: LiveCounter?

    init(router: RPCRouter, configuration: ServerConfiguration, logger: Logger, liveHandlers: LiveCounter? = nil) {
        self.router = router
        self.configuration = configuration
        self.logger = logger
        self.logsCalls = logger.logLevel <= .debug
        self.liveHandlers = liveHandlers
        self.pingPolicy = PingPolicy(
            minimumInterval: TimeAmount(configuration.timeouts.minimumPingInterval), maxStrikes: configuration.timeouts.maxPingStrikes
        )
        liveHandlers?.increment()
    }

    deinit {
        self.liveHandlers?.decrement()
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.executor = EventLoopTaskExecutor(eventLoop: context.eventLoop)
        self.peer = context.channel.remoteAddress?.description ?? "unknown"
        self.logger[metadataKey: "peer"] = "\(self.peer)"
    }

    /// The pipeline is torn down (the channel closed): drop the context, which holds this
    /// handler, so neither keeps the other (and the channel) alive after the connection is gone.
    func handlerRemoved(context: ChannelHandlerContext) {
        self.cancelTimers()
        self.context = nil
        self.executor = nil
    }

    func cancelTimers() {
        self.prefaceTimer?.cancel()
        self.prefaceTimer = nil
        self.idleTimer?.cancel()
        self.idleTimer = nil
        self.keepaliveTimer?.cancel()
        self.keepaliveTimer = nil
        self.keepaliveTimeoutTimer?.cancel()
        self.keepaliveTimeoutTimer = nil
        self.graceTimer?.cancel()
        self.graceTimer = nil
        self.deadlineTimer?.cancel()
        self.deadlineTimer = nil
        self.deadlineTimerAt = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.prefaceTimer = context.eventLoop.scheduleTask(in: TimeAmount(self.configuration.timeouts.preface)) {
            let handler = loopBound.value
            handler.closeWithGoAway(.badPreface, "no connection preface within \(handler.configuration.timeouts.preface)")
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.state = .closed
        self.cancelTimers()
        for call in Array(self.calls.values) {
            call.task?.cancel()
            // No status can reach the peer now: the call ends as cancelled.
            self.removeCall(call, code: .cancelled)
        }
        self.resumeWritabilityWaiters()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            self.resumeWritabilityWaiters()
        }
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.inRead = true
        switch self.unwrapInboundIn(data) {
        case .preface(let version):
            self.handlePreface(version)
        case .frame(let frame):
            self.handleFrame(frame)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.inRead = false
        context.flush()
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is DrainEvent {
            self.beginDrain()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let wireError = error as? WireError {
            self.logger.info("closing connection: \(wireError)")
            if wireError.looksLikeHTTP, self.state == .awaitingPreface {
                self.configuration.observer?.connectionRejected(reason: nil)
                self.answerHTTP(wireError.message)
            } else {
                self.closeWithGoAway(wireError.code, wireError.message)
            }
        } else {
            self.logger.debug("connection error: \(error)")
            context.close(promise: nil)
        }
    }

    // MARK: Preface and connection frames

    func handlePreface(_ version: ProtocolVersion) {
        guard let context = self.context, self.state == .awaitingPreface else { return }
        self.prefaceTimer?.cancel()
        guard version.major == WireProtocol.version.major else {
            self.closeWithGoAway(
                .unsupportedVersion,
                "client speaks protocol \(version), this server speaks \(WireProtocol.version): upgrade the client or the server"
            )
            return
        }
        self.state = .active
        self.clientVersion = version
        var buffer = context.channel.allocator.buffer(capacity: 64)
        self.encoder.writePreface(into: &buffer)
        self.encoder.writeSettings(ConnectionSettings(
            maxFramePayload: UInt32(clamping: self.configuration.limits.maxFramePayload),
            maxConcurrentCalls: UInt32(clamping: self.configuration.limits.maxConcurrentCallsPerConnection),
            maxMetadataSize: UInt32(clamping: self.configuration.limits.maxMetadataSize)
        ), into: &buffer)
        self.write(buffer)
        self.armIdleTimer()
        self.startKeepalive()
    }

    func handleFrame(_ frame: Frame) {
        guard self.state == .active || self.state == .draining else { return }
        switch frame.type {
        case .request:
            self.handleRequest(frame)
        case .cancel:
            self.handleCancel(frame.callID)
        case .ping:
            self.handlePing(frame.payload)
        case .pong:
            self.keepaliveTimeoutTimer?.cancel()
            self.keepaliveTimeoutTimer = nil
        case .settings:
            var payload = frame.payload
            let defaults = ConnectionSettings(
                maxFramePayload: UInt32(WireProtocol.defaultMaxFramePayload), maxConcurrentCalls: 0,
                maxMetadataSize: UInt32(WireProtocol.defaultMaxMetadataSize)
            )
            do {
                let settings = try payload.readSettings(defaults: defaults)
                self.clientMaxFramePayload = Int(settings.maxFramePayload)
            } catch {
                self.closeWithGoAway(.protocolError, error.message)
            }
        case .goAway:
            // The client sends no more calls; finish those in flight, then close. (A REQUEST it
            // sends after its own GOAWAY is answered UNAVAILABLE, as after ours.)
            if self.state == .active { self.state = .draining }
            self.closeIfDrained()
        default:
            self.closeWithGoAway(.protocolError, "a client may not send \(frame.type) frames")
        }
    }

    /// Answers a PING with its PONG, unless it is malformed or one too many (PingPolicy).
    func handlePing(_ payload: ByteBuffer) {
        guard payload.readableBytes == 8, let data = payload.getInteger(at: payload.readerIndex, as: UInt64.self) else {
            self.closeWithGoAway(.protocolError, "PING payload of \(payload.readableBytes) bytes, not 8")
            return
        }
        guard let context = self.context else { return }
        switch self.pingPolicy.receivedPing(at: context.eventLoop.now) {
        case .answer:
            var buffer = context.channel.allocator.buffer(capacity: WireProtocol.frameHeaderLength + 8)
            self.encoder.writePong(data, into: &buffer)
            self.write(buffer)
        case .tooManyPings:
            self.closeWithGoAway(
                .tooManyPings,
                "too many PINGs: more than \(self.pingPolicy.maxStrikes) sooner than \(self.configuration.timeouts.minimumPingInterval) apart with no call data between"
            )
        }
    }
}
