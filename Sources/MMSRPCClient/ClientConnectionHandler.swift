import MMSRPC
import MMSWire
import NIOCore
import Synchronization

/// How a call's caller is waiting for its outcome.
enum CallWaiter: Sendable {
    case unary(CheckedContinuation<ByteBuffer, any Error>)
    case streaming(StreamSource)

    func fail(_ error: any Error) {
        switch self {
        case .unary(let continuation):
            continuation.resume(throwing: error)
        case .streaming(let source):
            // Streams are not made again: their caller sees the plain status.
            source.finish((error as? NotSent)?.error ?? error)
        }
    }
}

/// A call that failed before a byte of it was written: the server never saw it, so it may be
/// made again on a new connection.
struct NotSent: Error {
    let error: RPCError
}

/// Set when the caller cancels, whichever thread gets there first: the caller's, or the loop's.
/// Also carries the call's id once the connection has given it one (0 before).
final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    private let assignedID = Atomic<UInt32>(0)
    func set() { self.value.store(true, ordering: .releasing) }
    var isSet: Bool { self.value.load(ordering: .acquiring) }
    var id: UInt32 {
        get { self.assignedID.load(ordering: .acquiring) }
        set { self.assignedID.store(newValue, ordering: .releasing) }
    }
}

/// A call encoded by its caller, waiting to be written on the event loop.
struct PendingCall: Sendable {
    /// Given by the connection when the call enters its outbox, so ids reach the wire in increasing order.
    var id: UInt32 = 0
    /// The REQUEST frame; its call id is filled in on the event loop, just before it is written.
    var frame: ByteBuffer
    let waiter: CallWaiter
    let timeout: Duration?
    let cancelled: CancellationFlag
}

/// Calls and cancellations handed from callers' threads to the event loop, in batches:
/// many concurrent callers cost one hop and one flush, not one each.
struct Outbox: ~Copyable {
    /// The id the next call gets; ids only grow on a connection.
    var nextID: UInt32 = 1
    var pending: [PendingCall] = []
    var cancels: [UInt32] = []
    var drainScheduled = false
}

/// The client's side of one connection: matches frames to calls, enforces deadlines, answers pings.
/// Everything here runs on the connection's event loop.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = InboundEvent
    typealias OutboundOut = ByteBuffer

    private final class LiveCall {
        let waiter: CallWaiter
        var response: ByteBuffer?
        var deadline: NIODeadline?
        var timeout: Duration = .zero
        init(waiter: CallWaiter) { self.waiter = waiter }
    }

    private var context: ChannelHandlerContext?
    private var calls: [UInt32: LiveCall] = [:]
    /// Streams whose caller's buffer is full; while any is, the socket is not read.
    private var pausedStreams: Set<UInt32> = []
    /// One timer for all deadlines of the connection, set for the earliest.
    private var deadlineTimer: Scheduled<Void>?
    private var deadlineTimerAt: NIODeadline?
    private let ready: EventLoopPromise<ConnectionSettings>
    private var sawPreface = false
    private var handshakeDone = false
    private let target: String
    private let maxMetadataSize: Int
    private let keepaliveInterval: Duration?
    private var keepaliveTask: RepeatedTask?
    private var pingOutstanding = false
    private let encoder = FrameEncoder()
    /// The server's protocol version, from its preface.
    private var serverVersion = ProtocolVersion(major: 0, minor: 0)
    /// Called once when the server says it is going away or the connection fails, so no new call uses it.
    let onRetire: @Sendable (RPCError?) -> Void
    private var closedError: RPCError?
    /// The last call id of the server's GOAWAY, once one came: calls not yet written then are
    /// not sent here (they would not run) but made again on a new connection.
    private var goAwayLastCallID: UInt32?

    init(
        target: String, ready: EventLoopPromise<ConnectionSettings>, maxMetadataSize: Int, keepaliveInterval: Duration?,
        onRetire: @escaping @Sendable (RPCError?) -> Void
    ) {
        self.target = target
        self.ready = ready
        self.maxMetadataSize = maxMetadataSize
        self.keepaliveInterval = keepaliveInterval
        self.onRetire = onRetire
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// The pipeline is torn down: drop the context, which holds this handler, so the two
    /// (and the channel) are freed with the connection rather than kept by a cycle.
    func handlerRemoved(context: ChannelHandlerContext) {
        self.keepaliveTask?.cancel()
        self.keepaliveTask = nil
        self.deadlineTimer?.cancel()
        self.deadlineTimer = nil
        self.context = nil
        // A connection that never became active (refused) still owes its caller an answer.
        if !self.handshakeDone {
            self.handshakeDone = true
            self.ready.fail(self.closedError ?? RPCError(.unavailable, "connection to \(self.target) closed before the handshake"))
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 32)
        self.encoder.writePreface(into: &buffer)
        context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.keepaliveTask?.cancel()
        let error = self.closedError ?? RPCError(.unavailable, "connection to \(self.target) closed before the call finished")
        // Calls handed to this connection from now on fail at once instead of waiting on a dead channel.
        self.closedError = error
        self.failAll(error)
        if !self.handshakeDone {
            self.handshakeDone = true
            self.ready.fail(error)
        }
        self.onRetire(error)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let rpcError: RPCError
        if let wireError = error as? WireError {
            rpcError = RPCError(.internalError, "protocol error from \(self.target): \(wireError.message)")
        } else if let tlsError = error as? ClientTLSError {
            rpcError = RPCError(.unavailable, tlsError.message)
        } else {
            rpcError = RPCError(.unavailable, "connection to \(self.target) failed: \(error)")
        }
        self.closedError = self.closedError ?? rpcError
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .preface(let version):
            guard version.major == WireProtocol.version.major else {
                self.closedError = RPCError(
                    .unavailable,
                    "\(self.target) speaks protocol \(version), this client speaks \(WireProtocol.version): upgrade the client or the server"
                )
                context.close(promise: nil)
                return
            }
            self.sawPreface = true
            self.serverVersion = version
        case .frame(let frame):
            self.handleFrame(frame, context: context)
        }
    }

    private func handleFrame(_ frame: Frame, context: ChannelHandlerContext) {
        switch frame.type {
        case .settings:
            var payload = frame.payload
            let defaults = ConnectionSettings(
                maxFramePayload: UInt32(WireProtocol.defaultMaxFramePayload), maxConcurrentCalls: 100,
                maxMetadataSize: UInt32(WireProtocol.defaultMaxMetadataSize)
            )
            guard let settings = try? payload.readSettings(defaults: defaults) else {
                self.protocolViolation("malformed SETTINGS frame", context: context)
                return
            }
            if !self.handshakeDone {
                self.handshakeDone = true
                self.startKeepalive(context: context)
                self.ready.succeed(settings)
            }
        case .response:
            guard let call = self.calls[frame.callID] else { return }
            switch call.waiter {
            case .unary(let continuation):
                if frame.flags.contains(.endOK) {
                    self.remove(frame.callID, call)
                    continuation.resume(returning: frame.payload)
                } else {
                    call.response = frame.payload
                }
            case .streaming(let source):
                let result = source.yield(frame.payload)
                if frame.flags.contains(.endOK) {
                    self.remove(frame.callID, call)
                    source.finish()
                } else if result == .stopProducing {
                    // The caller's buffer for this stream is full: read no more from the socket
                    // until it has taken some (backpressure reaches the server through TCP).
                    self.pause(frame.callID, context: context)
                }
            }
        case .status:
            guard let call = self.calls[frame.callID] else { return }
            self.remove(frame.callID, call)
            var payload = frame.payload
            guard let status = try? payload.readStatusPayload(maxMetadataSize: self.maxMetadataSize) else {
                call.waiter.fail(RPCError(.internalError, "malformed STATUS frame from \(self.target)"))
                return
            }
            let code = StatusCode(rawValue: status.code)
            if code == .unavailable, let last = self.goAwayLastCallID, frame.callID > last {
                // Refused unrun after the GOAWAY (written before we read it): made again elsewhere.
                call.waiter.fail(NotSent(error: RPCError(code, status.message)))
                return
            }
            if code == .ok {
                switch call.waiter {
                case .unary(let continuation):
                    if let response = call.response {
                        continuation.resume(returning: response)
                    } else {
                        continuation.resume(throwing: RPCError(.internalError, "server ended the call OK without a response"))
                    }
                case .streaming(let source):
                    source.finish()
                }
            } else {
                call.waiter.fail(RPCError(code, status.message, details: status.details, metadata: status.metadata))
            }
        case .ping:
            guard frame.payload.readableBytes == 8, let data = frame.payload.getInteger(at: frame.payload.readerIndex, as: UInt64.self) else {
                self.protocolViolation("PING payload of \(frame.payload.readableBytes) bytes, not 8", context: context)
                return
            }
            var buffer = context.channel.allocator.buffer(capacity: WireProtocol.frameHeaderLength + 8)
            self.encoder.writePong(data, into: &buffer)
            context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
        case .pong:
            self.pingOutstanding = false
        case .goAway:
            var payload = frame.payload
            let goAway = (try? payload.readGoAwayPayload()) ?? GoAwayPayload(code: .protocolError, reason: "malformed GOAWAY")
            if let last = goAway.lastCallID {
                self.goAwayLastCallID = min(last, self.goAwayLastCallID ?? last)
                self.failCallsNotRun(above: last, goAway)
            }
            if goAway.code == .noError {
                // Calls in flight finish; new calls go to a new connection.
                self.onRetire(nil)
            } else {
                let code: StatusCode = goAway.code == .resourceExhausted ? .resourceExhausted : .unavailable
                let error = RPCError(code, "\(self.target) closed the connection: \(goAway.code): \(goAway.reason)")
                self.closedError = error
                if !self.handshakeDone {
                    self.handshakeDone = true
                    self.ready.fail(error)
                }
                self.onRetire(error)
            }
        default:
            self.protocolViolation("a server may not send \(frame.type) frames", context: context)
        }
    }

    /// The server's GOAWAY says calls above `last` did not run: each ends `NotSent`, which the
    /// client makes again on a new connection (docs/PROTOCOL.md, §7 "GOAWAY").
    private func failCallsNotRun(above last: UInt32, _ goAway: GoAwayPayload) {
        let notRun = self.calls.filter { $0.key > last }
        guard !notRun.isEmpty else { return }
        let error = RPCError(
            .unavailable,
            "\(self.target) went away (\(goAway.code): \(goAway.reason)) before running the call (its last call id is \(last))"
        )
        for (id, call) in notRun {
            self.calls[id] = nil
            call.waiter.fail(NotSent(error: error))
        }
    }

    private func protocolViolation(_ reason: String, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        self.encoder.writeGoAway(GoAwayPayload(code: .protocolError, reason: reason), into: &buffer)
        self.closedError = RPCError(.internalError, "protocol error from \(self.target): \(reason)")
        context.writeAndFlush(self.wrapOutboundOut(buffer)).whenComplete { _ in context.close(promise: nil) }
    }

    // MARK: Outbound, called on the event loop by ClientConnection

    /// Registers and writes a batch of calls, then applies cancellations, with one flush.
    func drain(pending: inout [PendingCall], cancels: [UInt32]) {
        guard let context = self.context else {
            for call in pending { call.waiter.fail(NotSent(error: RPCError(.unavailable, "connection to \(self.target) is closed"))) }
            return
        }
        if let closedError = self.closedError {
            for call in pending { call.waiter.fail(NotSent(error: closedError)) }
            return
        }
        if self.goAwayLastCallID != nil {
            let error = RPCError(.unavailable, "\(self.target) sent GOAWAY: no new calls on this connection")
            for call in pending { call.waiter.fail(NotSent(error: error)) }
            return
        }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        for index in pending.indices {
            // In place: the frame's only reference is here, so this writes 4 bytes, no copy.
            let id = pending[index].id
            let idOffset = pending[index].frame.readerIndex + 6
            pending[index].frame.setInteger(id, at: idOffset)
        }
        for pendingCall in pending {
            // Cancelled before it reached the loop: it ends here and is never sent.
            if pendingCall.cancelled.isSet {
                pendingCall.waiter.fail(RPCError(.cancelled, "the call was cancelled by the caller"))
                continue
            }
            let live = LiveCall(waiter: pendingCall.waiter)
            self.calls[pendingCall.id] = live
            if let timeout = pendingCall.timeout {
                live.timeout = timeout
                live.deadline = .now() + .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
                self.armDeadlineTimer(for: live.deadline!, loopBound: loopBound)
            }
            context.write(self.wrapOutboundOut(pendingCall.frame), promise: nil)
        }
        for id in cancels {
            guard let call = self.calls[id] else { continue }
            self.remove(id, call)
            call.waiter.fail(RPCError(.cancelled, "the call was cancelled by the caller"))
            self.writeCancel(id, context: context)
        }
        context.flush()
    }

    /// Makes sure the connection's one deadline timer fires by `deadline` (see the server's twin:
    /// calls that end in time cost no timer work).
    private func armDeadlineTimer(for deadline: NIODeadline, loopBound: NIOLoopBound<ClientConnectionHandler>) {
        if let current = self.deadlineTimerAt, current <= deadline { return }
        self.deadlineTimer?.cancel()
        self.deadlineTimerAt = deadline
        self.deadlineTimer = loopBound.eventLoop.scheduleTask(deadline: deadline) {
            loopBound.value.expireDeadlines(loopBound: loopBound)
        }
    }

    /// Fails every call past its deadline with DEADLINE_EXCEEDED and tells the server to stop it.
    private func expireDeadlines(loopBound: NIOLoopBound<ClientConnectionHandler>) {
        self.deadlineTimer = nil
        self.deadlineTimerAt = nil
        guard let context = self.context else { return }
        let now = NIODeadline.now()
        var next: NIODeadline?
        var expired = false
        for (id, call) in self.calls {
            guard let deadline = call.deadline else { continue }
            if deadline <= now {
                self.calls[id] = nil
                call.waiter.fail(RPCError(.deadlineExceeded, "deadline of \(call.timeout) passed before \(self.target) answered"))
                self.writeCancel(id, context: context)
                expired = true
            } else if next == nil || deadline < next! {
                next = deadline
            }
        }
        if expired { context.flush() }
        if let next { self.armDeadlineTimer(for: next, loopBound: loopBound) }
    }

    private func writeCancel(_ id: UInt32, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: WireProtocol.frameHeaderLength)
        self.encoder.writeCancel(callID: id, into: &buffer)
        context.write(self.wrapOutboundOut(buffer), promise: nil)
    }

    private func remove(_ id: UInt32, _ call: LiveCall) {
        self.calls[id] = nil
        if !self.pausedStreams.isEmpty, self.pausedStreams.remove(id) != nil, self.pausedStreams.isEmpty {
            self.setReading(true)
        }
    }

    // MARK: Backpressure of server streams

    /// Stops reading from the socket while `id`'s buffer is full.
    private func pause(_ id: UInt32, context: ChannelHandlerContext) {
        let wasReading = self.pausedStreams.isEmpty
        self.pausedStreams.insert(id)
        if wasReading { self.setReading(false) }
    }

    /// The caller of stream `id` wants more: read again once no stream's buffer is full.
    func resume(_ id: UInt32) {
        guard self.pausedStreams.remove(id) != nil, self.pausedStreams.isEmpty else { return }
        self.setReading(true)
    }

    private func setReading(_ on: Bool) {
        guard let context = self.context else { return }
        context.channel.setOption(ChannelOptions.autoRead, value: on).whenFailure { _ in }
    }

    private func failAll(_ error: RPCError) {
        let calls = self.calls
        self.calls.removeAll()
        self.pausedStreams.removeAll()
        self.deadlineTimer?.cancel()
        for call in calls.values {
            call.waiter.fail(error)
        }
    }

    private func startKeepalive(context: ChannelHandlerContext) {
        guard let interval = self.keepaliveInterval else { return }
        let amount = TimeAmount.nanoseconds(Int64(interval.components.seconds) * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.keepaliveTask = context.eventLoop.scheduleRepeatedTask(initialDelay: amount, delay: amount) { _ in
            let handler = loopBound.value
            guard let context = handler.context else { return }
            if handler.pingOutstanding {
                handler.closedError = RPCError(.unavailable, "\(handler.target) did not answer a keepalive ping within \(interval)")
                context.close(promise: nil)
                return
            }
            handler.pingOutstanding = true
            var buffer = context.channel.allocator.buffer(capacity: 18)
            handler.encoder.writePing(1, into: &buffer)
            context.writeAndFlush(handler.wrapOutboundOut(buffer), promise: nil)
        }
    }
}

/// The buffer of one server stream's responses, between the event loop (which yields) and the
/// caller (which iterates): at most `highWatermark` responses; when full, the connection stops
/// reading until the caller has taken it down to `lowWatermark` (docs/PROTOCOL.md, §4 "Flow control").
typealias StreamSource = NIOThrowingAsyncSequenceProducer<
    ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, StreamDelegate
>.Source

typealias StreamSequence = NIOThrowingAsyncSequenceProducer<
    ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, StreamDelegate
>

/// Tells the connection when a stream's caller wants more, or has stopped listening.
struct StreamDelegate: NIOAsyncSequenceProducerDelegate {
    let connection: ClientConnection
    let call: CancellationFlag

    func produceMore() {
        let connection = self.connection
        let call = self.call
        connection.channel.eventLoop.execute {
            (try? connection.channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self))?.resume(call.id)
        }
    }

    /// The caller stopped iterating (cancelled, or dropped the sequence), or the stream ended:
    /// the call is cancelled on the server unless it has ended already.
    func didTerminate() {
        self.call.set()
        self.connection.cancel(self.call)
    }
}
