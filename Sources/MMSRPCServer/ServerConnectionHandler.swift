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
        var deadlineTimer: Scheduled<Void>?
        init(id: UInt32, isStreaming: Bool) {
            self.id = id
            self.isStreaming = isStreaming
        }
    }

    private enum State {
        case awaitingPreface
        case active
        case draining
        case closed
    }

    private let router: RPCRouter
    private let configuration: ServerConfiguration
    private var logger: Logger
    private var state = State.awaitingPreface
    private var context: ChannelHandlerContext?
    private var executor: EventLoopTaskExecutor?
    private var peer = "unknown"

    private var calls: [UInt32: Call] = [:]
    /// Handler tasks not yet returned, including those of calls already answered
    /// (cancelled, past their deadline): they count against the concurrency limit until they return.
    private var runningTasks = 0
    private var clientMaxFramePayload = WireProtocol.defaultMaxFramePayload

    private var inRead = false
    private var flushScheduled = false
    private var writabilityWaiters: [CheckedContinuation<Void, Never>] = []

    private var prefaceTimer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?
    private var keepaliveTimer: RepeatedTask?
    private var graceTimer: Scheduled<Void>?
    private var pingOutstanding = false

    init(router: RPCRouter, configuration: ServerConfiguration, logger: Logger) {
        self.router = router
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.executor = EventLoopTaskExecutor(eventLoop: context.eventLoop)
        self.peer = context.channel.remoteAddress?.description ?? "unknown"
        self.logger[metadataKey: "peer"] = "\(self.peer)"
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.prefaceTimer = context.eventLoop.scheduleTask(in: .nanoseconds(self.configuration.timeouts.preface.nanosecondsClamped)) {
            loopBound.value.closeWithGoAway(.badPreface, "no connection preface within \(self.configuration.timeouts.preface)")
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.state = .closed
        self.prefaceTimer?.cancel()
        self.idleTimer?.cancel()
        self.keepaliveTimer?.cancel()
        self.graceTimer?.cancel()
        for call in self.calls.values {
            call.deadlineTimer?.cancel()
            call.task?.cancel()
        }
        self.calls.removeAll()
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

    private func handlePreface(_ version: ProtocolVersion) {
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
        var buffer = context.channel.allocator.buffer(capacity: 64)
        WireProtocol.writePreface(into: &buffer)
        var settings = context.channel.allocator.buffer(capacity: 18)
        settings.writeSettings(ConnectionSettings(
            maxFramePayload: UInt32(self.configuration.limits.maxFramePayload),
            maxConcurrentCalls: UInt32(self.configuration.limits.maxConcurrentCallsPerConnection),
            maxMetadataSize: UInt32(self.configuration.limits.maxMetadataSize)
        ))
        buffer.writeFrame(Frame(type: .settings, callID: 0, payload: settings))
        self.write(buffer)
        self.armIdleTimer()
        self.startKeepalive()
    }

    private func handleFrame(_ frame: Frame) {
        guard self.state == .active || self.state == .draining else { return }
        switch frame.type {
        case .request:
            self.handleRequest(frame)
        case .cancel:
            self.handleCancel(frame.callID)
        case .ping:
            self.writeFrame(type: .pong, callID: 0, payload: frame.payload)
        case .pong:
            self.pingOutstanding = false
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
            // The client sends no more calls; finish those in flight, then close.
            if self.state == .active { self.state = .draining }
            self.closeIfDrained()
        default:
            self.closeWithGoAway(.protocolError, "a client may not send \(frame.type) frames")
        }
    }

    // MARK: Calls

    private func handleRequest(_ frame: Frame) {
        let id = frame.callID
        guard self.state == .active else {
            self.writeStatus(id, StatusPayload(code: StatusCode.unavailable.rawValue, message: "server is shutting down: no new calls on this connection"))
            return
        }
        if self.calls[id] != nil {
            self.closeWithGoAway(.protocolError, "call id \(id) is already in use by a call in flight")
            return
        }
        let limit = self.configuration.limits.maxConcurrentCallsPerConnection
        guard self.runningTasks < limit else {
            self.writeStatus(id, StatusPayload(
                code: StatusCode.resourceExhausted.rawValue,
                message: "too many calls in flight on this connection (limit \(limit)); wait for some to finish"
            ))
            return
        }
        var payload = frame.payload
        let head: RequestHead
        do {
            head = try payload.readRequestHead(maxMetadataSize: self.configuration.limits.maxMetadataSize)
        } catch {
            let code: StatusCode = error.overLimit ? .resourceExhausted : .invalidArgument
            self.writeStatus(id, StatusPayload(code: code.rawValue, message: "malformed request head: \(error.message)"))
            return
        }
        guard let handler = self.router.handler(for: head.method) else {
            self.writeStatus(id, StatusPayload(
                code: StatusCode.unimplemented.rawValue,
                message: "method \"\(head.method)\" is not implemented by this server"
            ))
            return
        }
        self.startCall(id: id, head: head, request: payload, handler: handler)
    }

    private func startCall(id: UInt32, head: RequestHead, request: ByteBuffer, handler: ErasedHandler) {
        guard let context = self.context, let executor = self.executor else { return }
        var isStreaming = false
        if case .serverStreaming = handler { isStreaming = true }
        let call = Call(id: id, isStreaming: isStreaming)
        self.calls[id] = call
        self.runningTasks += 1
        self.idleTimer?.cancel()
        self.idleTimer = nil

        var deadline: ContinuousClock.Instant?
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        if head.timeoutMicroseconds > 0 {
            let timeout = Int64(clamping: head.timeoutMicroseconds)
            deadline = .now + .microseconds(timeout)
            call.deadlineTimer = context.eventLoop.scheduleTask(in: .microseconds(timeout)) {
                loopBound.value.endCall(call, status: StatusPayload(
                    code: StatusCode.deadlineExceeded.rawValue,
                    message: "deadline of \(Self.describeMicroseconds(head.timeoutMicroseconds)) passed before the call finished"
                ))
            }
        }
        let serverContext = ServerContext(method: head.method, metadata: head.metadata, deadline: deadline, peer: self.peer)
        let allocator = context.channel.allocator
        let runner = CallRunner(
            handler: handler, request: request, context: serverContext, allocator: allocator, connection: loopBound, call: call
        )
        switch self.configuration.handlerExecution {
        case .connectionEventLoop: call.task = runner.start(on: executor)
        case .globalExecutor: call.task = runner.start()
        }
    }

    fileprivate static func runUnary(
        _ run: @Sendable (ByteBuffer, ServerContext, ByteBufferAllocator) async throws -> (ByteBuffer, Int),
        request: ByteBuffer, context: ServerContext, allocator: ByteBufferAllocator,
        connection: NIOLoopBound<ServerConnectionHandler>, call: Call
    ) async {
        let outcome: Result<(ByteBuffer, Int), any Error>
        do {
            outcome = .success(try await run(request, context, allocator))
        } catch {
            outcome = .failure(error)
        }
        Self.onLoop(connection) { $0.completeUnary(call, outcome) }
    }

    fileprivate static func runStreaming(
        _ run: @Sendable (ByteBuffer, ServerContext, any ResponseSink) async throws -> Void,
        request: ByteBuffer, context: ServerContext,
        connection: NIOLoopBound<ServerConnectionHandler>, call: Call
    ) async {
        let sink = StreamSink(connection: connection, call: call)
        let outcome: Result<Void, any Error>
        do {
            try await run(request, context, sink)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        Self.onLoop(connection) { $0.completeStreaming(call, outcome) }
    }

    /// Runs `body` on the connection's loop: at once when the handler ran there, else after a hop.
    private static func onLoop(_ connection: NIOLoopBound<ServerConnectionHandler>, _ body: @escaping @Sendable (ServerConnectionHandler) -> Void) {
        if connection.eventLoop.inEventLoop {
            body(connection.value)
        } else {
            connection.eventLoop.execute { body(connection.value) }
        }
    }

    private func completeUnary(_ call: Call, _ outcome: Result<(ByteBuffer, Int), any Error>) {
        switch outcome {
        case .success(let (buffer, headerStart)):
            self.finishUnary(call, buffer: buffer, headerStart: headerStart)
        case .failure(let error):
            self.endCall(call, status: Self.status(for: error))
        }
        self.taskReturned()
    }

    private func completeStreaming(_ call: Call, _ outcome: Result<Void, any Error>) {
        switch outcome {
        case .success:
            self.endCall(call, status: StatusPayload(code: StatusCode.ok.rawValue))
        case .failure(let error):
            self.endCall(call, status: Self.status(for: error))
        }
        self.taskReturned()
    }

    private func handleCancel(_ id: UInt32) {
        // A call that already ended has its status on the way; nothing to do.
        guard let call = self.calls[id] else { return }
        self.endCall(call, status: StatusPayload(code: StatusCode.cancelled.rawValue, message: "cancelled by the client"))
    }

    /// Answers a unary call with its response frame, flagged to end the call with OK.
    fileprivate func finishUnary(_ call: Call, buffer: ByteBuffer, headerStart: Int) {
        guard self.calls[call.id] === call else { return }
        var buffer = buffer
        let payloadLength = buffer.writerIndex - headerStart - WireProtocol.frameHeaderLength
        guard payloadLength <= self.clientMaxFramePayload else {
            self.endCall(call, status: StatusPayload(
                code: StatusCode.resourceExhausted.rawValue,
                message: "response of \(payloadLength) bytes is over the client's frame limit of \(self.clientMaxFramePayload) bytes"
            ))
            return
        }
        self.removeCall(call)
        buffer.completeFrameHeader(at: headerStart, type: .response, flags: .endOK, callID: call.id)
        self.write(buffer)
    }

    /// Sends one response of a streaming call; false when the call has ended.
    fileprivate func sendStreamed(_ call: Call, buffer: ByteBuffer, headerStart: Int) -> Bool {
        guard self.calls[call.id] === call else { return false }
        var buffer = buffer
        buffer.completeFrameHeader(at: headerStart, type: .response, flags: [], callID: call.id)
        self.write(buffer)
        return true
    }

    fileprivate var isWritable: Bool { self.context?.channel.isWritable ?? false }

    fileprivate func waitForWritability(_ continuation: CheckedContinuation<Void, Never>) {
        if self.state == .closed || self.isWritable {
            continuation.resume()
        } else {
            self.writabilityWaiters.append(continuation)
        }
    }

    /// Ends a call with `status` unless it already ended, and cancels its handler task.
    fileprivate func endCall(_ call: Call, status: StatusPayload) {
        guard self.calls[call.id] === call else { return }
        self.removeCall(call)
        call.task?.cancel()
        self.writeStatus(call.id, status)
    }

    private func removeCall(_ call: Call) {
        self.calls[call.id] = nil
        call.deadlineTimer?.cancel()
        call.deadlineTimer = nil
    }

    fileprivate func taskReturned() {
        self.runningTasks -= 1
        if self.runningTasks == 0, self.calls.isEmpty {
            self.armIdleTimer()
            self.closeIfDrained()
        }
    }

    private static func status(for error: any Error) -> StatusPayload {
        switch error {
        case let error as RPCError:
            return StatusPayload(code: error.code.rawValue, message: error.message, details: error.details, metadata: error.metadata)
        case is CancellationError:
            return StatusPayload(code: StatusCode.cancelled.rawValue, message: "the call was cancelled")
        default:
            return StatusPayload(code: StatusCode.unknown.rawValue, message: "the handler failed: \(error)")
        }
    }

    private static func describeMicroseconds(_ value: UInt64) -> String {
        value % 1000 == 0 ? "\(value / 1000) ms" : "\(value) µs"
    }

    // MARK: Shutdown, idle and keepalive

    private func beginDrain() {
        guard self.state == .active || self.state == .awaitingPreface else { return }
        let wasActive = self.state == .active
        self.state = .draining
        if wasActive {
            var payload = ByteBuffer()
            payload.writeGoAwayPayload(GoAwayPayload(code: .noError, reason: "server is shutting down: calls in flight may finish, start new ones elsewhere"))
            self.writeFrame(type: .goAway, callID: 0, payload: payload)
        }
        // Unary calls finish; streams may never end by themselves, so they end now.
        for call in Array(self.calls.values) where call.isStreaming {
            self.endCall(call, status: StatusPayload(
                code: StatusCode.unavailable.rawValue,
                message: "server is shutting down: open the stream again once it is back"
            ))
        }
        if self.closeIfDrained() { return }
        guard let context = self.context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let grace = self.configuration.timeouts.shutdownGracePeriod
        self.graceTimer = context.eventLoop.scheduleTask(in: .nanoseconds(grace.nanosecondsClamped)) {
            let handler = loopBound.value
            for call in Array(handler.calls.values) {
                handler.endCall(call, status: StatusPayload(
                    code: StatusCode.unavailable.rawValue,
                    message: "server shut down before the call finished (grace period \(grace))"
                ))
            }
            handler.flushNow()
            handler.context?.close(promise: nil)
        }
    }

    @discardableResult
    private func closeIfDrained() -> Bool {
        guard self.state == .draining, self.calls.isEmpty, self.runningTasks == 0, let context = self.context else { return false }
        self.state = .closed
        self.flushNow()
        context.close(promise: nil)
        return true
    }

    private func armIdleTimer() {
        guard self.state == .active, let context = self.context else { return }
        self.idleTimer?.cancel()
        let idle = self.configuration.timeouts.idle
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.idleTimer = context.eventLoop.scheduleTask(in: .nanoseconds(idle.nanosecondsClamped)) {
            loopBound.value.closeWithGoAway(.idleTimeout, "no call for \(idle): closing the idle connection")
        }
    }

    private func startKeepalive() {
        guard let context = self.context else { return }
        let interval = TimeAmount.nanoseconds(self.configuration.timeouts.keepaliveInterval.nanosecondsClamped)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.keepaliveTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let handler = loopBound.value
            if handler.pingOutstanding {
                handler.closeWithGoAway(.keepaliveTimeout, "no answer to a keepalive ping within \(interval)")
                return
            }
            handler.pingOutstanding = true
            var payload = ByteBuffer()
            payload.writeInteger(UInt64(0x4D4D_5350_494E_4721))  // "MMSPING!"
            handler.writeFrame(type: .ping, callID: 0, payload: payload)
        }
    }

    /// Sends a GOAWAY with `code` and closes. Writes our preface first if we have not yet,
    /// so that a client still reading the preface can read the GOAWAY.
    func closeWithGoAway(_ code: GoAwayCode, _ reason: String) {
        guard let context = self.context, self.state != .closed else { return }
        var buffer = context.channel.allocator.buffer(capacity: 64 + reason.utf8.count)
        if self.state == .awaitingPreface {
            WireProtocol.writePreface(into: &buffer)
        }
        var payload = ByteBuffer()
        payload.writeGoAwayPayload(GoAwayPayload(code: code, reason: reason))
        buffer.writeFrame(Frame(type: .goAway, callID: 0, payload: payload))
        self.state = .closed
        for call in self.calls.values { call.task?.cancel() }
        context.writeAndFlush(self.wrapOutboundOut(buffer)).whenComplete { _ in
            context.close(promise: nil)
        }
    }

    private func answerHTTP(_ message: String) {
        guard let context = self.context else { return }
        let body = message + "\n"
        let response = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        self.state = .closed
        context.writeAndFlush(self.wrapOutboundOut(context.channel.allocator.buffer(string: response))).whenComplete { _ in
            context.close(promise: nil)
        }
    }

    // MARK: Writing

    private func writeStatus(_ id: UInt32, _ status: StatusPayload) {
        var payload = ByteBuffer()
        payload.writeStatusPayload(status)
        self.writeFrame(type: .status, callID: id, payload: payload)
    }

    private func writeFrame(type: FrameType, callID: UInt32, payload: ByteBuffer) {
        guard let context = self.context else { return }
        var buffer = context.channel.allocator.buffer(capacity: WireProtocol.frameHeaderLength + payload.readableBytes)
        buffer.writeFrame(Frame(type: type, callID: callID, payload: payload))
        self.write(buffer)
    }

    /// Writes `buffer`; the flush comes at the end of the current read, or once per loop turn.
    private func write(_ buffer: ByteBuffer) {
        guard let context = self.context, self.state != .closed else { return }
        context.write(self.wrapOutboundOut(buffer), promise: nil)
        guard !self.inRead, !self.flushScheduled else { return }
        self.flushScheduled = true
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            loopBound.value.flushNow()
        }
    }

    private func flushNow() {
        self.flushScheduled = false
        self.context?.flush()
    }

    private func resumeWritabilityWaiters() {
        let waiters = self.writabilityWaiters
        self.writabilityWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }
}

/// Starts a call's handler task; kept apart from the handler class so the task's closure captures only Sendable values.
private struct CallRunner: Sendable {
    let handler: ErasedHandler
    let request: ByteBuffer
    let context: ServerContext
    let allocator: ByteBufferAllocator
    let connection: NIOLoopBound<ServerConnectionHandler>
    let call: ServerConnectionHandler.Call

    func start(on executor: EventLoopTaskExecutor) -> Task<Void, Never> {
        Task(executorPreference: executor) { await self.run() }
    }

    /// Runs on the global executor; the answer then hops back to the event loop.
    func start() -> Task<Void, Never> {
        Task { await self.run() }
    }

    private func run() async {
        switch self.handler {
        case .unary(let run):
            await ServerConnectionHandler.runUnary(
                run, request: self.request, context: self.context, allocator: self.allocator, connection: self.connection, call: self.call
            )
        case .serverStreaming(let run):
            await ServerConnectionHandler.runStreaming(run, request: self.request, context: self.context, connection: self.connection, call: self.call)
        }
    }
}

/// The transport's side of a server-streaming call: sends responses with backpressure.
private struct StreamSink: ResponseSink {
    let connection: NIOLoopBound<ServerConnectionHandler>
    let call: ServerConnectionHandler.Call

    func makeMessageBuffer() -> ByteBuffer {
        ByteBufferAllocator().buffer(capacity: 256)
    }

    func send(messageFrame: ByteBuffer, headerStart: Int) async throws(RPCError) {
        let eventLoop = self.connection.eventLoop
        let connection = self.connection
        let call = self.call
        let sent: Bool
        if eventLoop.inEventLoop {
            sent = connection.value.sendStreamed(call, buffer: messageFrame, headerStart: headerStart)
        } else {
            do {
                sent = try await eventLoop.submit {
                    connection.value.sendStreamed(call, buffer: messageFrame, headerStart: headerStart)
                }.get()
            } catch {
                sent = false
            }
        }
        guard sent else { throw RPCError(.cancelled, "the call has ended") }
        // Backpressure: wait until the connection can take more before the handler produces more.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            eventLoop.execute {
                connection.value.waitForWritability(continuation)
            }
        }
        if Task.isCancelled { throw RPCError(.cancelled, "the call has ended") }
    }
}

extension ServerConnectionHandler {
    // The call objects are only touched on the event loop; NIOLoopBound checks it.
}

extension ServerConnectionHandler.Call: @unchecked Sendable {}
