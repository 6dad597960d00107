import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle
import Synchronization

/// `GET /metrics` in Prometheus' text format, on a listener of its own (NIO's HTTP/1 codec),
/// apart from the RPC port: `mms-server --metrics-listen HOST:PORT` (docs/PROTOCOL.md, "Metrics").
///
/// Before each scrape it calls `beforeScrape` (the store's gauges refresh there, at most every
/// few seconds). Anything but `GET` or `HEAD` of `/metrics` is answered 404 or 405.
public final class MetricsEndpoint: Service, Sendable {
    private let host: String
    private let port: Int
    private let registry: PrometheusCollectorRegistry
    private let beforeScrape: @Sendable () async -> Void
    private let logger: Logger
    private let bound: Mutex<(address: SocketAddress?, waiters: [CheckedContinuation<SocketAddress, any Error>], failure: (any Error)?)>
        = Mutex((nil, [], nil))

    init(host: String, port: Int, registry: PrometheusCollectorRegistry, logger: Logger, beforeScrape: @escaping @Sendable () async -> Void) {
        self.host = host
        self.port = port
        self.registry = registry
        self.logger = logger
        self.beforeScrape = beforeScrape
    }

    /// The address it listens on, once it does (useful with port 0).
    public func listeningAddress() async throws -> SocketAddress {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<SocketAddress, any Error>? = self.bound.withLock { state in
                if let address = state.address { return .success(address) }
                if let failure = state.failure { return .failure(failure) }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    public func run() async throws {
        let registry = self.registry
        let beforeScrape = self.beforeScrape
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMapThrowing {
                        try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(registry: registry, beforeScrape: beforeScrape))
                    }
                }
                .bind(host: self.host, port: self.port)
                .get()
        } catch {
            let failure = MetricsListenError(description: "cannot listen for metrics on \(self.host):\(self.port): \(error)")
            let waiters = self.bound.withLock { state in
                state.failure = failure
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(throwing: failure) }
            throw failure
        }
        let address = channel.localAddress!
        let waiters = self.bound.withLock { state in
            state.address = address
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: address) }
        self.logger.info("metrics endpoint listening", metadata: ["address": "\(address)", "path": "/metrics"])
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await channel.closeFuture.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}

/// The metrics endpoint could not listen on its address.
public struct MetricsListenError: Error, CustomStringConvertible {
    public let description: String
}

/// Answers one HTTP/1 connection's requests.
private final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private let beforeScrape: @Sendable () async -> Void
    private var head: HTTPRequestHead?

    init(registry: PrometheusCollectorRegistry, beforeScrape: @escaping @Sendable () async -> Void) {
        self.registry = registry
        self.beforeScrape = beforeScrape
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            self.answer(head, context: context)
        }
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard path == "/metrics" else {
            self.respond(context, head, status: .notFound, body: "not found: the metrics are at /metrics\n", type: "text/plain; charset=utf-8")
            return
        }
        guard head.method == .GET || head.method == .HEAD else {
            self.respond(context, head, status: .methodNotAllowed, body: "only GET and HEAD are served here\n", type: "text/plain; charset=utf-8")
            return
        }
        let registry = self.registry
        let beforeScrape = self.beforeScrape
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            await beforeScrape()
            return registry.emitToBuffer()
        }.whenSuccess { bytes in
            let (handler, context) = loopBound.value
            handler.respond(context, head, status: .ok, bytes: bytes, type: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ request: HTTPRequestHead, status: HTTPResponseStatus, body: String, type: String) {
        self.respond(context, request, status: status, bytes: Array(body.utf8), type: type)
    }

    private func respond(_ context: ChannelHandlerContext, _ request: HTTPRequestHead, status: HTTPResponseStatus, bytes: [UInt8], type: String) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: "\(bytes.count)")
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        }
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
