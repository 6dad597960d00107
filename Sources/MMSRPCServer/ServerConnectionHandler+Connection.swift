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
        if wasActive, let context = self.context {
            // Every call the client sent up to now runs; any later one is refused unrun (§7).
            self.lastCallIDAccepted = self.highestCallID
            var buffer = context.channel.allocator.buffer(capacity: 128)
            self.encoder.writeGoAway(GoAwayPayload(
                code: .noError,
                reason: "server is shutting down: calls in flight may finish, start new ones elsewhere",
                lastCallID: self.lastCallIDForPeer
            ), into: &buffer)
            self.write(buffer)
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
        self.graceTimer = context.eventLoop.scheduleTask(in: TimeAmount(grace)) {
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

    /// The last call id to put in a GOAWAY: the highest the client sent, for a client of protocol
    /// 1.1 or later; nil for a 1.0 client, whose GOAWAY layout has no such field.
    var lastCallIDForPeer: UInt32? {
        self.clientVersion.minor >= 1 || self.clientVersion.major > 1 ? (self.lastCallIDAccepted ?? self.highestCallID) : nil
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
        self.idleSince = self.context?.eventLoop.now
        if self.idleTimer == nil { self.scheduleIdleCheck(after: self.configuration.timeouts.idle) }
    }

    private func scheduleIdleCheck(after delay: Duration) {
        guard let context = self.context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.idleTimer = context.eventLoop.scheduleTask(in: TimeAmount(delay)) {
            loopBound.value.idleCheck()
        }
    }

    private func idleCheck() {
        self.idleTimer = nil
        guard self.state == .active, let since = self.idleSince, let now = self.context?.eventLoop.now else { return }
        let idle = self.configuration.timeouts.idle
        let elapsed = now - since
        let limit = TimeAmount(idle)
        if elapsed >= limit {
            self.closeWithGoAway(.idleTimeout, "no call for \(idle): closing the idle connection")
        } else {
            self.scheduleIdleCheck(after: .nanoseconds((limit - elapsed).nanoseconds))
        }
    }

    /// Pings the client every `keepaliveInterval`; a PING whose PONG has not come within
    /// `keepaliveTimeout` closes the connection with GOAWAY `KEEPALIVE_TIMEOUT`.
    func startKeepalive() {
        guard let context = self.context else { return }
        let interval = TimeAmount(self.configuration.timeouts.keepaliveInterval)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.keepaliveTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            loopBound.value.sendKeepalivePing()
        }
    }

    func sendKeepalivePing() {
        guard let context = self.context, self.keepaliveTimeoutTimer == nil else { return }
        var buffer = context.channel.allocator.buffer(capacity: WireProtocol.frameHeaderLength + 8)
        self.encoder.writePing(0x4D4D_5350_494E_4721, into: &buffer)  // "MMSPING!"
        self.write(buffer)
        let timeout = self.configuration.timeouts.keepaliveTimeout
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.keepaliveTimeoutTimer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            let handler = loopBound.value
            handler.keepaliveTimeoutTimer = nil
            handler.closeWithGoAway(.keepaliveTimeout, "no answer to a keepalive PING within \(timeout)")
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
        var buffer = context.channel.allocator.buffer(capacity: 64 + min(reason.utf8.count, GoAwayPayload.maxReasonBytes))
        if self.state == .awaitingPreface {
            self.encoder.writePreface(into: &buffer)
        }
        self.encoder.writeGoAway(GoAwayPayload(code: code, reason: reason, lastCallID: self.lastCallIDForPeer), into: &buffer)
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

    /// Writes the STATUS frame ending call `id`. A status that cannot be encoded (a message or
    /// details over their length fields) is replaced by an INTERNAL one saying so: the call is
    /// still answered, and nothing is truncated.
    func writeStatus(_ id: UInt32, _ status: StatusPayload) {
        guard let context = self.context else { return }
        self.pingPolicy.sentData()
        var buffer = context.channel.allocator.buffer(capacity: 64 + status.message.utf8.count)
        do {
            try self.encoder.writeStatus(status, callID: id, into: &buffer)
        } catch {
            self.logger.error("cannot encode the status of call \(id): \(error)")
            try? self.encoder.writeStatus(
                StatusPayload(code: StatusCode.internalError.rawValue, message: "the server could not encode this call's status: \(error)"),
                callID: id, into: &buffer
            )
        }
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
