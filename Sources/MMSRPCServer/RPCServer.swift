import Logging
import MMSRPC
import MMSWire
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// A server for the MMS RPC protocol: listens on TCP, decodes frames, routes calls to
/// the handlers registered on its router and answers them (docs/PROTOCOL.md).
///
/// Run it under swift-service-lifecycle: a graceful shutdown (SIGTERM, SIGINT) stops
/// accepting connections, sends every connection a GOAWAY, refuses new calls with
/// `UNAVAILABLE`, lets calls in flight finish within the grace period, then returns.
public final class RPCServer: Service, Sendable {
    private let configuration: ServerConfiguration
    private let router: RPCRouter
    private let logger: Logger
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let state = Mutex(ListenerState())
    private let boundAddress: EventLoopPromise<SocketAddress>
    /// Connection handlers not yet freed: 0 once every connection has closed (tests check it).
    let liveConnectionHandlers = LiveCounter()

    private struct ListenerState {
        var listener: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }

    /// - Parameters:
    ///   - configuration: address, limits and timeouts.
    ///   - router: the methods served.
    ///   - logger: where connection events and protocol errors go.
    ///   - eventLoopGroup: the group to run on; by default the server creates one and shuts it down when `run()` returns.
    public init(configuration: ServerConfiguration, router: RPCRouter, logger: Logger, eventLoopGroup: (any EventLoopGroup)? = nil) {
        var configuration = configuration
        if let observer = configuration.observer {
            // Once per method, here: a call then finds its observer by index (RPCServerObserver).
            configuration.methodObservers = router.methodNamesByIndex.map { observer.methodObserver(for: $0) }
        }
        self.configuration = configuration
        self.router = router
        self.logger = logger
        if let eventLoopGroup {
            self.group = eventLoopGroup
            self.ownsGroup = false
        } else {
            let threads = configuration.eventLoopThreads > 0 ? configuration.eventLoopThreads : System.coreCount
            self.group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
            self.ownsGroup = true
        }
        self.boundAddress = self.group.next().makePromise(of: SocketAddress.self)
    }

    /// The address the server listens on, once it does (useful with port 0).
    /// - Throws: the bind error if the server could not listen.
    public func listeningAddress() async throws -> SocketAddress {
        try await self.boundAddress.futureResult.get()
    }

    /// Listens and serves until a graceful shutdown or the task's cancellation, then drains.
    /// - Throws: when the address cannot be bound.
    public func run() async throws {
        let limits = self.configuration.limits
        let listener: any Channel
        do {
            listener = try await ServerBootstrap(group: self.group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { [self] channel in
                    self.initializeConnection(channel)
                }
                .bind(host: self.configuration.host, port: self.configuration.port)
                .get()
        } catch {
            let listenError = ListenError(host: self.configuration.host, port: self.configuration.port, underlying: error)
            self.boundAddress.fail(listenError)
            try await self.shutdownGroupIfOwned()
            throw listenError
        }
        self.state.withLock { $0.listener = listener }
        if let address = listener.localAddress {
            self.boundAddress.succeed(address)
        }
        self.logger.info("listening", metadata: [
            "address": "\(listener.localAddress?.description ?? "?")",
            "tls": "\(self.configuration.tls?.summary ?? "off")",
            "max-connections": "\(limits.maxConnections)",
            "max-calls-per-connection": "\(limits.maxConcurrentCallsPerConnection)",
        ])

        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await listener.closeFuture.get()
            } onCancel: {
                self.beginGracefulShutdown()
            }
        } onGracefulShutdown: {
            self.beginGracefulShutdown()
        }
        // Wait for every connection to finish draining.
        let remaining = self.state.withLock { Array($0.connections.values) }
        for connection in remaining {
            try? await connection.closeFuture.get()
        }
        self.logger.info("stopped")
        try await self.shutdownGroupIfOwned()
    }

    /// Stops accepting connections and starts draining every open one. Safe to call more than once.
    public func beginGracefulShutdown() {
        let (listener, connections) = self.state.withLock { state -> ((any Channel)?, [any Channel]) in
            guard !state.shuttingDown else { return (nil, []) }
            state.shuttingDown = true
            return (state.listener, Array(state.connections.values))
        }
        guard let listener else { return }
        self.logger.info("graceful shutdown: refusing new calls, draining \(connections.count) connection(s)")
        listener.close(promise: nil)
        for connection in connections {
            connection.pipeline.fireUserInboundEventTriggered(ServerConnectionHandler.DrainEvent())
        }
    }

    private func initializeConnection(_ channel: any Channel) -> EventLoopFuture<Void> {
        let limits = self.configuration.limits
        let admitted = self.state.withLock { state -> Bool in
            guard !state.shuttingDown, state.connections.count < limits.maxConnections else { return false }
            state.connections[ObjectIdentifier(channel)] = channel
            return true
        }
        let tls = self.configuration.tls
        let logger = self.logger
        let observer = self.configuration.observer
        guard admitted else {
            observer?.connectionRejected(reason: .resourceExhausted)
            return channel.eventLoop.makeCompletedFuture {
                if let tls { try Self.addTLSHandlers(tls, to: channel, logger: logger) }
                try channel.pipeline.syncOperations.addHandler(RefusingHandler(
                    reason: "server has reached its limit of \(limits.maxConnections) connections or is shutting down; retry later"
                ))
            }
        }
        observer?.connectionOpened()
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { _ = $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
            observer?.connectionClosed()
        }
        let router = self.router
        let configuration = self.configuration
        let liveHandlers = self.liveConnectionHandlers
        return channel.eventLoop.makeCompletedFuture {
            if let tls { try Self.addTLSHandlers(tls, to: channel, logger: logger) }
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(ByteToMessageHandler(FrameDecoder(maxPayload: limits.maxFramePayload)))
            try sync.addHandler(ServerConnectionHandler(
                router: router, configuration: configuration, logger: logger, liveHandlers: liveHandlers
            ))
        }
    }

    /// TLS first: plain text is answered in plain text, then the handshake with the context
    /// current now (a reload changes later connections only), then its outcome logged.
    private static func addTLSHandlers(_ tls: ServerTLS, to channel: any Channel, logger: Logger) throws {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(PlaintextOnTLSPortHandler(logger: logger))
        try sync.addHandler(NIOSSLServerHandler(context: tls.context))
        try sync.addHandler(ServerTLSEventHandler(logger: logger))
    }

    private func shutdownGroupIfOwned() async throws {
        if self.ownsGroup {
            try await self.group.shutdownGracefully()
        }
    }
}

/// Answers a connection over the limit: our preface, a GOAWAY that says why, then close.
private final class RefusingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let reason: String

    init(reason: String) { self.reason = reason }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        let encoder = FrameEncoder()
        encoder.writePreface(into: &buffer)
        // Sent before the client's preface is read, so in the 1.0 layout (no call ran anyway).
        encoder.writeGoAway(GoAwayPayload(code: .resourceExhausted, reason: self.reason), into: &buffer)
        context.writeAndFlush(self.wrapOutboundOut(buffer)).whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

/// The server could not listen on its address.
public struct ListenError: Error, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var underlying: any Error

    public var description: String {
        let text = "\(self.underlying)"
        let reason: String
        if text.contains("errno: 98") || text.contains("Address already in use") {
            reason = "the address is already in use (is another mms-server running? choose another with --listen)"
        } else if text.contains("errno: 99") || text.contains("Cannot assign requested address") {
            reason = "this machine has no such address"
        } else if text.contains("errno: 13") || text.contains("Permission denied") {
            reason = "permission denied (ports below 1024 need privileges)"
        } else {
            reason = text
        }
        return "cannot listen on \(self.host):\(self.port): \(reason)"
    }
}
