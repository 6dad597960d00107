import Logging
import MMSRPC
import MMSWire
import NIOCore

/// The life of a call: opened by a REQUEST frame, ended by exactly one response or status.
extension ServerConnectionHandler {

    func handleRequest(_ frame: Frame) {
        let id = frame.callID
        if let last = self.lastCallIDAccepted {
            // After our GOAWAY: a call above its last call id is not run (the client may make it
            // again elsewhere); one at or below it (sent out of order) still runs.
            if id > last {
                self.refuseCall(id, StatusPayload(
                    code: StatusCode.unavailable.rawValue,
                    message: "server is shutting down: call \(id) is above the GOAWAY's last call id \(last) and was not run; make it again on a new connection"
                ))
                return
            }
        } else if self.state != .active {
            self.refuseCall(id, StatusPayload(code: StatusCode.unavailable.rawValue, message: "server is shutting down: no new calls on this connection"))
            return
        } else if id > self.highestCallID {
            self.highestCallID = id
        }
        if self.calls[id] != nil {
            self.closeWithGoAway(.protocolError, "call id \(id) is already in use by a call in flight")
            return
        }
        let limit = self.configuration.limits.maxConcurrentCallsPerConnection
        guard self.runningTasks < limit else {
            self.refuseCall(id, StatusPayload(
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
            self.refuseCall(id, StatusPayload(code: code.rawValue, message: "malformed request head: \(error.message)"))
            return
        }
        guard let route = self.router.route(for: head.method) else {
            self.refuseCall(id, StatusPayload(
                code: StatusCode.unimplemented.rawValue,
                message: "method \"\(head.method)\" is not implemented by this server"
            ))
            return
        }
        let observers = self.configuration.methodObservers
        self.startCall(id: id, head: head, request: payload, handler: route.handler,
                       observer: observers.isEmpty ? nil : observers[route.index])
    }

    /// Answers a call that never reached a handler.
    func refuseCall(_ id: UInt32, _ status: StatusPayload) {
        self.configuration.observer?.callRefused(code: StatusCode(rawValue: status.code))
        self.writeStatus(id, status)
    }

    func startCall(id: UInt32, head: RequestHead, request: ByteBuffer, handler: ErasedHandler, observer: (any RPCMethodObserver)? = nil) {
        guard let context = self.context, let executor = self.executor else { return }
        var isStreaming = false
        if case .serverStreaming = handler { isStreaming = true }
        let call = Call(id: id, isStreaming: isStreaming)
        if self.logsCalls {
            call.method = head.method
            call.started = .now()
        }
        if let observer {
            call.observer = observer
            call.startedAt = NIODeadline.now().uptimeNanoseconds
            observer.callStarted()
        }
        self.calls[id] = call
        self.runningTasks += 1
        // Busy: the idle timer, if pending, finds this when it fires.
        self.idleSince = nil

        var deadline: ContinuousClock.Instant?
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        if head.timeoutMicroseconds > 0 {
            let timeout = Int64(clamping: head.timeoutMicroseconds)
            deadline = .now + .microseconds(timeout)
            call.deadline = .now() + .microseconds(timeout)
            call.timeoutMicroseconds = head.timeoutMicroseconds
            self.armDeadlineTimer(for: call.deadline!)
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

    static func runUnary(
        _ run: @Sendable (ByteBuffer, ServerContext, ByteBufferAllocator) async throws -> (ByteBuffer, Int),
        request: ByteBuffer, context: ServerContext, allocator: ByteBufferAllocator,
        connection: NIOLoopBound<ServerConnectionHandler>, call: Call
    ) async {
        let outcome: Result<(ByteBuffer, Int), any Error>
        do {
            var (buffer, headerStart) = try await run(request, context, allocator)
            // Completed here, while this is the buffer's only reference: done later on the loop,
            // after the hop has captured it, it would copy the whole response.
            try buffer.completeFrameHeader(at: headerStart, type: .response, flags: .endOK, callID: call.id)
            outcome = .success((buffer, headerStart))
        } catch {
            outcome = .failure(error)
        }
        Self.onLoop(connection) { $0.completeUnary(call, outcome) }
    }

    static func runStreaming(
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
    static func onLoop(_ connection: NIOLoopBound<ServerConnectionHandler>, _ body: @escaping @Sendable (ServerConnectionHandler) -> Void) {
        if connection.eventLoop.inEventLoop {
            body(connection.value)
        } else {
            connection.eventLoop.execute { body(connection.value) }
        }
    }

    func completeUnary(_ call: Call, _ outcome: Result<(ByteBuffer, Int), any Error>) {
        switch outcome {
        case .success(let (buffer, headerStart)):
            self.finishUnary(call, buffer: buffer, headerStart: headerStart)
        case .failure(let error):
            self.endCall(call, status: Self.status(for: error))
        }
        self.taskReturned()
    }

    func completeStreaming(_ call: Call, _ outcome: Result<Void, any Error>) {
        switch outcome {
        case .success:
            self.endCall(call, status: StatusPayload(code: StatusCode.ok.rawValue))
        case .failure(let error):
            self.endCall(call, status: Self.status(for: error))
        }
        self.taskReturned()
    }

    func handleCancel(_ id: UInt32) {
        // A call that already ended has its status on the way; nothing to do.
        guard let call = self.calls[id] else { return }
        self.endCall(call, status: StatusPayload(code: StatusCode.cancelled.rawValue, message: "cancelled by the client"))
    }

    /// Answers a unary call with its response frame (its header already completed, flagged to
    /// end the call with OK).
    func finishUnary(_ call: Call, buffer: ByteBuffer, headerStart: Int) {
        guard self.calls[call.id] === call else { return }
        let payloadLength = buffer.writerIndex - headerStart - WireProtocol.frameHeaderLength
        guard payloadLength <= self.clientMaxFramePayload else {
            self.endCall(call, status: StatusPayload(
                code: StatusCode.resourceExhausted.rawValue,
                message: "response of \(payloadLength) bytes is over the client's frame limit of \(self.clientMaxFramePayload) bytes"
            ))
            return
        }
        self.logEnd(call, code: StatusCode.ok.rawValue)
        self.removeCall(call, code: .ok)
        self.pingPolicy.sentData()
        self.write(buffer)
    }

    /// Sends one response of a streaming call; false when the call has ended.
    func sendStreamed(_ call: Call, buffer: ByteBuffer, headerStart: Int) -> Bool {
        guard self.calls[call.id] === call else { return false }
        var buffer = buffer
        do {
            try buffer.completeFrameHeader(at: headerStart, type: .response, flags: [], callID: call.id)
        } catch {
            self.endCall(call, status: StatusPayload(code: StatusCode.internalError.rawValue, message: "response not sent: \(error)"))
            return false
        }
        self.pingPolicy.sentData()
        self.write(buffer)
        return true
    }

    var isWritable: Bool { self.context?.channel.isWritable ?? false }

    func waitForWritability(_ continuation: CheckedContinuation<Void, Never>) {
        if self.state == .closed || self.isWritable {
            continuation.resume()
        } else {
            self.writabilityWaiters.append(continuation)
        }
    }

    /// Ends a call with `status` unless it already ended, and cancels its handler task.
    func endCall(_ call: Call, status: StatusPayload) {
        guard self.calls[call.id] === call else { return }
        self.logEnd(call, code: status.code)
        self.removeCall(call, code: StatusCode(rawValue: status.code))
        call.task?.cancel()
        self.writeStatus(call.id, status)
    }

    /// One debug line per call: its method, status and duration (never its metadata: the token).
    func logEnd(_ call: Call, code: UInt8) {
        guard let started = call.started else { return }
        let milliseconds = Double((NIODeadline.now() - started).nanoseconds / 1000) / 1000
        self.logger.debug("call", metadata: [
            "method": "\(call.method)", "status": "\(StatusCode(rawValue: code).name)", "duration_ms": .stringConvertible(milliseconds),
        ])
    }

    /// Forgets a call that has just been answered with `code` (the metrics' one place where a call ends).
    func removeCall(_ call: Call, code: StatusCode) {
        // The deadline timer is left alone: when it fires it finds the call gone.
        self.calls[call.id] = nil
        if let observer = call.observer {
            observer.callEnded(code: code, nanoseconds: Int64(truncatingIfNeeded: NIODeadline.now().uptimeNanoseconds &- call.startedAt))
        }
    }

    /// Makes sure the connection's deadline timer fires by `deadline`.
    ///
    /// One timer serves every call: it is moved only when a call's deadline is earlier than the
    /// one it is set for, and calls that end before their deadline cost no timer work at all.
    func armDeadlineTimer(for deadline: NIODeadline) {
        if let current = self.deadlineTimerAt, current <= deadline { return }
        guard let context = self.context else { return }
        self.deadlineTimer?.cancel()
        self.deadlineTimerAt = deadline
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.deadlineTimer = context.eventLoop.scheduleTask(deadline: deadline) {
            loopBound.value.expireDeadlines()
        }
    }

    /// Ends every call past its deadline with DEADLINE_EXCEEDED, then sets the timer for the next one.
    func expireDeadlines() {
        self.deadlineTimer = nil
        self.deadlineTimerAt = nil
        let now = NIODeadline.now()
        var next: NIODeadline?
        for call in Array(self.calls.values) {
            guard let deadline = call.deadline else { continue }
            if deadline <= now {
                self.endCall(call, status: StatusPayload(
                    code: StatusCode.deadlineExceeded.rawValue,
                    message: "deadline of \(Self.describeMicroseconds(call.timeoutMicroseconds)) passed before the call finished"
                ))
            } else if next == nil || deadline < next! {
                next = deadline
            }
        }
        if let next { self.armDeadlineTimer(for: next) }
    }

    func taskReturned() {
        self.runningTasks -= 1
        if self.runningTasks == 0, self.calls.isEmpty {
            self.armIdleTimer()
            self.closeIfDrained()
        }
    }

    static func status(for error: any Error) -> StatusPayload {
        switch error {
        case let error as RPCError:
            return StatusPayload(code: error.code.rawValue, message: error.message, details: error.details, metadata: error.metadata)
        case is CancellationError:
            return StatusPayload(code: StatusCode.cancelled.rawValue, message: "the call was cancelled")
        case let convertible as any RPCErrorConvertible:
            let error = convertible.rpcError
            return StatusPayload(code: error.code.rawValue, message: error.message, details: error.details, metadata: error.metadata)
        default:
            // Never the error's text (issue 16): a router with an ErrorBoundary logs it under an id first.
            return StatusPayload(code: StatusCode.internalError.rawValue, message: "internal error")
        }
    }

    static func describeMicroseconds(_ value: UInt64) -> String {
        value % 1000 == 0 ? "\(value / 1000) ms" : "\(value) µs"
    }
}
