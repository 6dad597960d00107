import NIOCore

/// What a server knows about the call a handler is serving.
public struct ServerContext: Sendable {
    /// The method's full name.
    public var method: String
    /// The caller's request metadata.
    public var metadata: Metadata
    /// When the caller stops waiting, if it set a deadline. The call is cancelled then.
    public var deadline: ContinuousClock.Instant?
    /// The caller's address, for logs.
    public var peer: String

    public init(method: String, metadata: Metadata, deadline: ContinuousClock.Instant?, peer: String) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
    }

    /// True once the call is cancelled (by the client, its deadline or a shutdown). Same as `Task.isCancelled`.
    public var isCancelled: Bool { Task.isCancelled }
}

/// Where a server-streaming handler sends its responses.
public struct ResponseStreamWriter<Response: WireMessage>: Sendable {
    private let sink: any ResponseSink

    public init(sink: any ResponseSink) { self.sink = sink }

    /// Sends one response. Suspends while the connection cannot take more (backpressure).
    /// - Throws: `RPCError` with `CANCELLED` once the call has ended.
    public func write(_ response: Response) async throws(RPCError) {
        var buffer = self.sink.makeMessageBuffer()
        let headerStart = buffer.reserveFrameHeaderForMessage()
        try response.encode(into: &buffer)
        try await self.sink.send(messageFrame: buffer, headerStart: headerStart)
    }
}

/// The transport's side of a server-streaming call.
public protocol ResponseSink: Sendable {
    /// A buffer to encode one response into.
    func makeMessageBuffer() -> ByteBuffer
    /// Sends a response encoded after the frame header reserved at `headerStart`.
    func send(messageFrame: ByteBuffer, headerStart: Int) async throws(RPCError)
}

extension ByteBuffer {
    /// Reserves a frame header before a message encoded into this buffer.
    public mutating func reserveFrameHeaderForMessage() -> Int {
        self.reserveFrameHeader()
    }
}

/// A method's handler with its message types erased, as the transport runs it.
public enum ErasedHandler: Sendable {
    /// Decodes the request, runs the handler and encodes the response after a reserved frame header
    /// into a buffer from `allocator`. Returns the buffer and where the header starts.
    case unary(@Sendable (_ request: ByteBuffer, _ context: ServerContext, _ allocator: ByteBufferAllocator) async throws -> (ByteBuffer, Int))
    /// Decodes the request and runs the handler, which writes its responses to the sink.
    case serverStreaming(@Sendable (_ request: ByteBuffer, _ context: ServerContext, _ sink: any ResponseSink) async throws -> Void)
}

/// Maps method names to handlers, grpc-swift style: services register their methods,
/// the server looks each call's method up here. An unknown name is answered `UNIMPLEMENTED`.
///
/// Every registered method runs inside the router's interceptors (``ServerInterceptor``), which
/// see the call before its request is decoded: give them at `init`, before registering.
public struct RPCRouter: Sendable {
    /// Run around every method registered after them, the first outermost.
    public let interceptors: [any ServerInterceptor]
    /// Each method's handler, and its index in registration order: a server keeps per-method
    /// state in an array at that index rather than look it up by name on every call.
    private var handlers: [String: (handler: ErasedHandler, index: Int)] = [:]
    /// The method names in index order.
    public private(set) var methodNamesByIndex: [String] = []

    public init(interceptors: [any ServerInterceptor] = []) {
        self.interceptors = interceptors
    }

    /// Registers a unary method. A second registration of the same name replaces the first.
    public mutating func register<Request, Response>(
        _ method: UnaryMethod<Request, Response>,
        handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        let interceptors = self.interceptors[...]
        @Sendable func run(_ requestBytes: ByteBuffer, _ context: ServerContext, _ allocator: ByteBufferAllocator) async throws -> (ByteBuffer, Int) {
            let request = try Request.decode(from: requestBytes)
            let response = try await handler(request, context)
            var buffer = allocator.buffer(capacity: 256)
            let headerStart = buffer.reserveFrameHeader()
            try response.encode(into: &buffer)
            return (buffer, headerStart)
        }
        if interceptors.isEmpty {
            self.add(method.fullName, .unary(run))
        } else {
            self.add(method.fullName, .unary { requestBytes, context, allocator in
                try await Self.intercepted(interceptors, context) { context in try await run(requestBytes, context, allocator) }
            })
        }
    }

    /// Registers a server-streaming method.
    public mutating func register<Request, Response>(
        _ method: ServerStreamingMethod<Request, Response>,
        handler: @escaping @Sendable (Request, ResponseStreamWriter<Response>, ServerContext) async throws -> Void
    ) {
        let interceptors = self.interceptors[...]
        self.add(method.fullName, .serverStreaming { requestBytes, context, sink in
            try await Self.intercepted(interceptors, context) { context in
                let request = try Request.decode(from: requestBytes)
                try await handler(request, ResponseStreamWriter(sink: sink), context)
            }
        })
    }

    /// The handler of `method`, if one is registered.
    public func handler(for method: String) -> ErasedHandler? {
        self.handlers[method]?.handler
    }

    /// The handler of `method` and its index in ``methodNamesByIndex``, if one is registered.
    public func route(for method: String) -> (handler: ErasedHandler, index: Int)? {
        self.handlers[method]
    }

    private mutating func add(_ name: String, _ handler: ErasedHandler) {
        if let existing = self.handlers[name] {
            self.handlers[name] = (handler, existing.index)
        } else {
            self.handlers[name] = (handler, self.methodNamesByIndex.count)
            self.methodNamesByIndex.append(name)
        }
    }

    /// The names of every registered method, sorted.
    public var methodNames: [String] { self.handlers.keys.sorted() }
}
