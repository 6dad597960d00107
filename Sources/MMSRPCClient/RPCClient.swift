import Logging
import MMSRPC
import MMSWire
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Settings of an `RPCClient`.
public struct ClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// How long to wait for the TCP connection and the server's preface.
    public var connectTimeout: Duration
    /// The deadline of a call that does not give one; nil = calls wait as long as the server takes.
    public var defaultTimeout: Duration?
    /// The largest frame payload this client accepts (announced to the server).
    public var maxFramePayload: Int
    /// Ping the server this often and give up on the connection if a ping goes unanswered; nil = never.
    public var keepaliveInterval: Duration?
    /// TLS (and mutual TLS when it names a client certificate); nil = plain TCP.
    public var tls: ClientTLSConfiguration?
    /// How many responses of one server stream are held for its caller (docs/PROTOCOL.md, §4
    /// "Flow control"): when `highWatermark` are waiting, the connection stops reading until the
    /// caller has taken them down to `lowWatermark`.
    public var streamBuffer = StreamBuffer.defaults

    /// Bounds of a server stream's buffer, in responses.
    public struct StreamBuffer: Sendable {
        public var lowWatermark: Int
        public var highWatermark: Int

        /// - Precondition: 0 <= lowWatermark < highWatermark.
        public init(lowWatermark: Int, highWatermark: Int) {
            precondition(0 <= lowWatermark && lowWatermark < highWatermark, "a stream buffer needs 0 <= low < high")
            self.lowWatermark = lowWatermark
            self.highWatermark = highWatermark
        }

        /// Up to 64 responses held; reading resumes at 16.
        public static var defaults: StreamBuffer { StreamBuffer(lowWatermark: 16, highWatermark: 64) }
    }

    public init(
        host: String = "127.0.0.1", port: Int = 7450, connectTimeout: Duration = .seconds(5), defaultTimeout: Duration? = nil,
        maxFramePayload: Int = WireProtocol.defaultMaxFramePayload, keepaliveInterval: Duration? = .seconds(30),
        tls: ClientTLSConfiguration? = nil
    ) {
        self.tls = tls
        self.host = host
        self.port = port
        self.connectTimeout = connectTimeout
        self.defaultTimeout = defaultTimeout
        self.maxFramePayload = maxFramePayload
        self.keepaliveInterval = keepaliveInterval
    }
}

/// A client of the MMS RPC protocol: typed calls multiplexed over one TCP connection.
///
/// The connection is opened on the first call and opened again after it fails or the
/// server sends GOAWAY; calls in flight on a connection that goes away end with
/// `UNAVAILABLE`. Cancelling the calling task cancels the call on the server.
public final class RPCClient: Sendable {
    public let configuration: ClientConfiguration
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let current = Mutex<ConnectionSlot>(.none)

    private enum ConnectionSlot {
        case none
        case connecting(EventLoopFuture<ClientConnection>)
        case ready(ClientConnection)
        case shutDown
    }

    /// - Parameters:
    ///   - configuration: where to connect and the client's limits.
    ///   - eventLoopGroup: the group to run on; by default a one-thread group the client owns.
    public init(configuration: ClientConfiguration, eventLoopGroup: (any EventLoopGroup)? = nil) {
        self.configuration = configuration
        if let eventLoopGroup {
            self.group = eventLoopGroup
            self.ownsGroup = false
        } else {
            self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            self.ownsGroup = true
        }
    }

    /// Makes a unary call.
    /// - Parameters:
    ///   - timeout: how long to wait; the server stops the call then too. Defaults to the configuration's.
    /// - Throws: `RPCError` with the server's status, or `UNAVAILABLE` when the server cannot be reached,
    ///   `DEADLINE_EXCEEDED`, `CANCELLED` when the calling task is cancelled.
    public func unary<Request, Response>(
        _ method: UnaryMethod<Request, Response>, _ request: Request, metadata: Metadata = Metadata(), timeout: Duration? = nil
    ) async throws(RPCError) -> Response {
        let timeout = timeout ?? self.configuration.defaultTimeout
        // A call that did not run (it never left this process, or the server's GOAWAY named a
        // last call id below it) is made again on a new connection; see `retryConnection`.
        var lastError = RPCError(.unavailable, "the call could not be sent")
        for attempt in 1...3 {
            do {
                let payload = try await self.send(method.fullName, request, metadata: metadata, timeout: timeout, retrying: attempt > 1)
                return try Response.decode(from: payload)
            } catch let notSent as NotSent {
                lastError = notSent.error
            } catch let error as RPCError {
                throw error
            } catch {
                throw RPCError(.unknown, "\(error)")
            }
        }
        throw lastError
    }

    /// Sends one unary call on the current connection and waits for its response bytes.
    private func send<Request: WireMessage>(
        _ method: String, _ request: Request, metadata: Metadata, timeout: Duration?, retrying: Bool
    ) async throws -> ByteBuffer {
        let connection: ClientConnection
        if retrying {
            connection = try await self.retryConnection()
        } else {
            connection = try await self.connection()
        }
        let frame = try connection.encodeRequest(method: method, request: request, metadata: metadata, timeout: timeout)
        let cancelled = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer, any Error>) in
                connection.submit(PendingCall(frame: frame, waiter: .unary(continuation), timeout: timeout, cancelled: cancelled))
            }
        } onCancel: {
            cancelled.set()
            connection.cancel(cancelled)
        }
    }

    /// A connection for a call being made again: a server that sent GOAWAY is often restarting,
    /// so a refused connection is tried again (every 50 ms, up to `connectTimeout`) before the
    /// call fails. The call has not run anywhere, so waiting is safe.
    private func retryConnection() async throws(RPCError) -> ClientConnection {
        let clock = ContinuousClock()
        let end = clock.now + self.configuration.connectTimeout
        while true {
            do throws(RPCError) {
                return try await self.connection()
            } catch {
                // Refused (nothing listening yet) or turned away by a server still draining.
                guard error.code == .unavailable || error.code == .resourceExhausted, clock.now < end, !Task.isCancelled else { throw error }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Makes a server-streaming call and returns its responses as they arrive.
    ///
    /// The sequence ends when the server ends the call with OK and throws its `RPCError`
    /// otherwise. Abandoning the iteration cancels the call.
    public func serverStreaming<Request, Response>(
        _ method: ServerStreamingMethod<Request, Response>, _ request: Request, metadata: Metadata = Metadata(), timeout: Duration? = nil
    ) async throws(RPCError) -> ResponseStream<Response> {
        let connection = try await self.connection()
        let timeout = timeout ?? self.configuration.defaultTimeout
        let frame = try connection.encodeRequest(method: method.fullName, request: request, metadata: metadata, timeout: timeout)
        let cancelled = CancellationFlag()
        let buffer = self.configuration.streamBuffer
        let made = StreamSequence.makeSequence(
            backPressureStrategy: .init(lowWatermark: buffer.lowWatermark, highWatermark: buffer.highWatermark),
            finishOnDeinit: true,
            delegate: StreamDelegate(connection: connection, call: cancelled)
        )
        let stream = made.sequence
        connection.submit(PendingCall(frame: frame, waiter: .streaming(made.source), timeout: timeout, cancelled: cancelled))
        return ResponseStream(stream: stream)
    }

    /// Closes the connection; calls in flight end with `UNAVAILABLE`. Later calls fail.
    public func close() async {
        let slot = self.current.withLock { slot -> ConnectionSlot in
            let old = slot
            slot = .shutDown
            return old
        }
        switch slot {
        case .ready(let connection):
            try? await connection.channel.close()
        case .connecting(let future):
            if let connection = try? await future.get() { try? await connection.channel.close() }
        case .none, .shutDown:
            break
        }
        if self.ownsGroup {
            try? await self.group.shutdownGracefully()
        }
    }

    // MARK: Connection management

    private func connection() async throws(RPCError) -> ClientConnection {
        let future: EventLoopFuture<ClientConnection> = try self.current.withLock { slot throws(RPCError) in
            switch slot {
            case .ready(let connection) where connection.isUsable:
                return connection.channel.eventLoop.makeSucceededFuture(connection)
            case .connecting(let future):
                return future
            case .shutDown:
                throw RPCError(.unavailable, "the client is closed")
            case .none, .ready:
                let future = self.connect()
                slot = .connecting(future)
                return future
            }
        }
        do {
            let connection = try await future.get()
            self.current.withLock { slot in
                if case .connecting(let pending) = slot, pending === future { slot = .ready(connection) }
            }
            return connection
        } catch {
            self.current.withLock { slot in
                if case .connecting(let pending) = slot, pending === future { slot = .none }
            }
            throw error as? RPCError ?? RPCError(.unavailable, "\(error)")
        }
    }

    private func connect() -> EventLoopFuture<ClientConnection> {
        let configuration = self.configuration
        let target = "\(configuration.host):\(configuration.port)"
        let eventLoop = self.group.next()
        let ready = eventLoop.makePromise(of: ConnectionSettings.self)
        let retired = RetiredFlag()
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = try configuration.tls?.makeContext()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let connectTimeout = TimeAmount.nanoseconds(
            Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000 + configuration.connectTimeout.components.attoseconds / 1_000_000_000
        )
        return ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tlsContext, let tls = configuration.tls {
                        try sync.addHandlers(tls.makeHandlers(context: tlsContext, host: configuration.host, target: target))
                    }
                    try sync.addHandler(ByteToMessageHandler(FrameDecoder(maxPayload: configuration.maxFramePayload)))
                    try sync.addHandler(ClientConnectionHandler(
                        target: target, ready: ready, maxMetadataSize: WireProtocol.defaultMaxMetadataSize,
                        keepaliveInterval: configuration.keepaliveInterval, onRetire: { _ in retired.set() }
                    ))
                }
            }
            .connect(host: configuration.host, port: configuration.port)
            .flatMapErrorThrowing { error in
                throw RPCError(.unavailable, "cannot connect to \(target): \(Self.describeConnectError(error)); is mms-server running there?")
            }
            .flatMap { channel in
                let timeout = channel.eventLoop.scheduleTask(in: connectTimeout) {
                    let what = configuration.tls == nil ? "the MMS preface" : "the TLS handshake and the MMS preface"
                    ready.fail(RPCError(.unavailable, "\(target) accepted the connection but did not answer \(what) within \(configuration.connectTimeout)"))
                    channel.close(promise: nil)
                }
                return ready.futureResult.map { settings in
                    timeout.cancel()
                    return ClientConnection(channel: channel, settings: settings, retired: retired)
                }.flatMapErrorThrowing { error in
                    timeout.cancel()
                    channel.close(promise: nil)
                    throw error
                }
            }
    }

    private static func describeConnectError(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("connection reset") || text.contains("Connection refused") || text.contains("connect(descriptor") {
            return "connection refused"
        }
        return text
    }
}

/// Set once a connection should take no new calls (GOAWAY received, or closed).
final class RetiredFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { self.value.store(true, ordering: .releasing) }
    var isSet: Bool { self.value.load(ordering: .acquiring) }
}

/// One open connection: call ids, and the batched hand-off of calls to its event loop.
final class ClientConnection: Sendable {
    let channel: any Channel
    let settings: ConnectionSettings
    private let retired: RetiredFlag
    private let outbox = Mutex(Outbox())

    init(channel: any Channel, settings: ConnectionSettings, retired: RetiredFlag) {
        self.channel = channel
        self.settings = settings
        self.retired = retired
    }

    /// True while new calls may use this connection.
    var isUsable: Bool { !self.retired.isSet && self.channel.isActive }

    /// Encodes the REQUEST frame on the caller's thread; its call id is given by `submit`.
    func encodeRequest<Request: WireMessage>(method: String, request: Request, metadata: Metadata, timeout: Duration?) throws(RPCError) -> ByteBuffer {
        var buffer = self.channel.allocator.buffer(capacity: 128)
        let headerStart = buffer.reserveFrameHeader()
        var micros: UInt64 = 0
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            micros = UInt64(max(1, seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
        }
        do {
            try buffer.writeRequestHead(RequestHead(method: method, timeoutMicroseconds: micros, metadata: metadata))
        } catch {
            throw RPCError(.invalidArgument, "request not sent: \(error.message)")
        }
        guard buffer.writerIndex - headerStart - WireProtocol.frameHeaderLength <= Int(self.settings.maxMetadataSize) + 4096 else {
            throw RPCError(.invalidArgument, "metadata of \(metadata.encodedContentSize) bytes is over the server's limit of \(self.settings.maxMetadataSize) bytes")
        }
        try request.encode(into: &buffer)
        let payloadLength = buffer.writerIndex - headerStart - WireProtocol.frameHeaderLength
        guard payloadLength <= Int(self.settings.maxFramePayload) else {
            throw RPCError(.resourceExhausted, "request of \(payloadLength) bytes is over the server's frame limit of \(self.settings.maxFramePayload) bytes")
        }
        do {
            try buffer.completeFrameHeader(at: headerStart, type: .request, callID: 0)
        } catch {
            throw RPCError(.resourceExhausted, "request not sent: \(error.message)")
        }
        return buffer
    }

    /// Hands a call to the event loop; concurrent callers share one hop and one flush.
    ///
    /// The call's id is given here, under the outbox's lock, so ids enter the outbox, and reach
    /// the wire, in increasing order: the server's GOAWAY can then name the last call it runs
    /// (docs/PROTOCOL.md, §7). Ids only grow, so an id is never reused on a connection; a
    /// connection that runs out of ids (after 2^31 calls) retires and the client opens another.
    func submit(_ call: PendingCall) {
        if call.cancelled.isSet {
            call.waiter.fail(RPCError(.cancelled, "the call was cancelled by the caller"))
            return
        }
        let schedule = self.outbox.withLock { outbox -> Bool in
            // Checked again under the lock: `cancel` sees either the flag or the id.
            if call.cancelled.isSet {
                call.waiter.fail(RPCError(.cancelled, "the call was cancelled by the caller"))
                return false
            }
            let id = outbox.nextID
            outbox.nextID &+= 1
            if id >= 1 << 31 { self.retired.set() }
            call.cancelled.id = id
            outbox.pending.append(call)
            outbox.pending[outbox.pending.count - 1].id = id
            return self.markDrainScheduled(&outbox)
        }
        if schedule { self.scheduleDrain() }
    }

    /// Cancels a call: it ends with CANCELLED at once and the server is told to stop it.
    func cancel(_ flag: CancellationFlag) {
        let schedule = self.outbox.withLock { outbox -> Bool in
            let id = flag.id
            // Not submitted yet: `submit` sees the flag and ends the call there.
            guard id != 0 else { return false }
            if let index = outbox.pending.firstIndex(where: { $0.id == id }) {
                let call = outbox.pending.remove(at: index)
                call.waiter.fail(RPCError(.cancelled, "the call was cancelled by the caller"))
                return false
            }
            // Registered on the loop already (or not submitted yet: its flag stops it there).
            outbox.cancels.append(id)
            return self.markDrainScheduled(&outbox)
        }
        if schedule { self.scheduleDrain() }
    }

    private func markDrainScheduled(_ outbox: inout Outbox) -> Bool {
        if outbox.drainScheduled { return false }
        outbox.drainScheduled = true
        return true
    }

    private func scheduleDrain() {
        self.channel.eventLoop.execute {
            var (pending, cancels) = self.outbox.withLock { outbox -> ([PendingCall], [UInt32]) in
                let batch = (outbox.pending, outbox.cancels)
                outbox.pending.removeAll(keepingCapacity: true)
                outbox.cancels.removeAll(keepingCapacity: true)
                outbox.drainScheduled = false
                return batch
            }
            do {
                let handler = try self.channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self)
                handler.drain(pending: &pending, cancels: cancels)
            } catch {
                for call in pending { call.waiter.fail(NotSent(error: RPCError(.unavailable, "connection is closed"))) }
            }
        }
    }
}

/// The responses of a server-streaming call, decoded as they are read.
public struct ResponseStream<Response: WireMessage>: AsyncSequence, Sendable {
    public typealias Element = Response
    let stream: StreamSequence

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: StreamSequence.AsyncIterator

        public mutating func next() async throws -> Response? {
            guard let buffer = try await self.base.next() else { return nil }
            return try Response.decode(from: buffer)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: self.stream.makeAsyncIterator())
    }
}
