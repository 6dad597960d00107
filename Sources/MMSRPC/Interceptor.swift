/// Code that runs around every call a router serves, before the request is decoded and after the
/// handler returned or threw (grpc-swift-2's `ServerInterceptor`, in our terms).
///
/// A router runs its interceptors in the order they were given, the first outermost:
/// `RPCRouter(interceptors: [boundary, access])` runs `boundary`, which calls `access`, which
/// calls the handler. An interceptor may refuse a call by throwing instead of calling `next`,
/// change the context the rest of the chain sees, or map what the rest throws. Authentication and
/// authorisation live in one such interceptor, so no handler can forget them and every call is
/// checked before its request is read (issue 16).
public protocol ServerInterceptor: Sendable {
    /// Runs the rest of the chain by calling `next` (at most once), or refuses the call by throwing.
    /// `Output` is the transport's: an encoded response for a unary call, nothing for a stream.
    func intercept<Output: Sendable>(
        _ context: ServerContext, next: (ServerContext) async throws -> Output
    ) async throws -> Output
}

extension RPCRouter {
    /// Runs `body` inside `interceptors`, the first outermost.
    static func intercepted<Output: Sendable>(
        _ interceptors: ArraySlice<any ServerInterceptor>, _ context: ServerContext,
        _ body: (ServerContext) async throws -> Output
    ) async throws -> Output {
        guard let first = interceptors.first else { return try await body(context) }
        let rest = interceptors.dropFirst()
        return try await first.intercept(context) { context in try await Self.intercepted(rest, context, body) }
    }
}
