import Logging
import MMSRPC

/// The one place a handler's error becomes the status its caller sees (issue 16).
///
/// Our typed errors keep their codes: an `RPCError` as thrown, an `RPCErrorConvertible` (a
/// storage or connector error mapped where the server is assembled) as it converts, a
/// cancellation as `CANCELLED`. Anything else is a fault of ours, and its text may hold what a
/// caller must not see (paths, SQL, another tenant's names): the caller gets `INTERNAL` with a
/// generic message and an error id, and the error itself is logged with the same id, the method
/// and the peer, so an operator can find it from what the caller reports.
///
/// Install it first (outermost) in the router's interceptors, so it also sees what the other
/// interceptors throw.
public struct ErrorBoundary: ServerInterceptor {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func intercept<Output: Sendable>(
        _ context: ServerContext, next: (ServerContext) async throws -> Output
    ) async throws -> Output {
        do {
            return try await next(context)
        } catch let error as RPCError {
            throw error
        } catch let error as any RPCErrorConvertible {
            throw error.rpcError
        } catch is CancellationError {
            throw RPCError(.cancelled, "the call was cancelled")
        } catch {
            throw self.internalError(error, context)
        }
    }

    /// Logs `error` under a new id and returns the status that names only the id.
    func internalError(_ error: any Error, _ context: ServerContext) -> RPCError {
        let id = Self.makeErrorID()
        self.logger.error("call failed with an unexpected error", metadata: [
            "error_id": "\(id)", "method": "\(context.method)", "peer": "\(context.peer)", "error": "\(String(reflecting: error))",
        ])
        return RPCError(.internalError, "internal error (error id \(id)); the server's log has the details", metadata: ["mms-error-id": id])
    }

    /// 16 hex digits, random: unique enough to find one line in a log.
    static func makeErrorID() -> String {
        let value = UInt64.random(in: .min ... .max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
