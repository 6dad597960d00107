import Logging
import MMSRPC
import MMSWire
import NIOCore

/// The connection as a whole: graceful shutdown, idle and keepalive timers, GOAWAY, and batched writes.
extension ServerConnectionHandler {

    func beginDrain() {
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
    func closeIfDrained() -> Bool {
        guard self.state == .draining, self.calls.isEmpty, self.runningTasks == 0, let context = self.context else { return false }
        self.state = .closed
        self.flushNow()
        context.close(promise: nil)
        return true
    }

    /// Marks the connection idle from now. One timer serves many idle spells: it is scheduled
    /// when none is pending and, when it fires early (calls came and went), it schedules itself
    /// for the rest of the current spell, so a busy connection costs no timer per call.
    func armIdleTimer() {
        guard self.state == .active else { return }
        self.idleSince = .now()
        if self.idleTimer == nil { self.scheduleIdleCheck(after: self.configuration.timeouts.idle) }
    }

    private func scheduleIdleCheck(after delay: Duration) {
        guard let context = self.context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.idleTimer = context.eventLoop.scheduleTask(in: .nanoseconds(delay.nanosecondsClamped)) {
            loopBound.value.idleCheck()
        }
    }

    private func idleCheck() {
        self.idleTimer = nil
        guard self.state == .active, let since = self.idleSince else { return }
        let idle = self.configuration.timeouts.idle
        let elapsed = NIODeadline.now() - since
        let limit = TimeAmount.nanoseconds(idle.nanosecondsClamped)
        if elapsed >= limit {
            self.closeWithGoAway(.idleTimeout, "no call for \(idle): closing the idle connection")
        } else {
            self.scheduleIdleCheck(after: .nanoseconds((limit - elapsed).nanoseconds))
        }
    }

    func startKeepalive() {
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
        // Timers closing a quiet connection are not the peer's fault; every other code is.
        if code != .idleTimeout, code != .keepaliveTimeout, code != .noError {
            self.configuration.observer?.connectionRejected(reason: code)
        }
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

    func answerHTTP(_ message: String) {
        guard let context = self.context else { return }
        let body = message + "\n"
        let response = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        self.state = .closed
        context.writeAndFlush(self.wrapOutboundOut(context.channel.allocator.buffer(string: response))).whenComplete { _ in
            context.close(promise: nil)
        }
    }

    // MARK: Writing

    func writeStatus(_ id: UInt32, _ status: StatusPayload) {
        var payload = ByteBuffer()
        payload.writeStatusPayload(status)
        self.writeFrame(type: .status, callID: id, payload: payload)
    }

    func writeFrame(type: FrameType, callID: UInt32, payload: ByteBuffer) {
        guard let context = self.context else { return }
        var buffer = context.channel.allocator.buffer(capacity: WireProtocol.frameHeaderLength + payload.readableBytes)
        buffer.writeFrame(Frame(type: type, callID: callID, payload: payload))
        self.write(buffer)
    }

    /// Writes `buffer`; the flush comes at the end of the current read, or once per loop turn.
    func write(_ buffer: ByteBuffer) {
        guard let context = self.context, self.state != .closed else { return }
        context.write(self.wrapOutboundOut(buffer), promise: nil)
        guard !self.inRead, !self.flushScheduled else { return }
        self.flushScheduled = true
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            loopBound.value.flushNow()
        }
    }

    func flushNow() {
        self.flushScheduled = false
        self.context?.flush()
    }

    func resumeWritabilityWaiters() {
        let waiters = self.writabilityWaiters
        self.writabilityWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }
}
