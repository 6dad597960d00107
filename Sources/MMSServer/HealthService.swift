import MMSCore
import MMSMessages
import MMSRPC
import Synchronization

/// `mms.v1.Health`: SERVING while the server accepts calls, NOT_SERVING once it drains.
final class HealthService: HealthHandler {
    private let serving = Atomic<Bool>(true)

    func check(_ request: HealthCheckRequest, context: ServerContext) async throws -> HealthCheckResponse {
        // As gRPC's health service: a service it does not report on is NOT_FOUND (issue 14: no input is ignored).
        guard request.service.isEmpty else {
            throw RPCError(.notFound, "health is reported for the whole server only: leave service empty, not \(FieldRules.quoted(request.service))")
        }
        return HealthCheckResponse(status: self.serving.load(ordering: .relaxed) ? .serving : .notServing)
    }

    /// Reports NOT_SERVING from now on.
    func markNotServing() {
        self.serving.store(false, ordering: .relaxed)
    }
}
