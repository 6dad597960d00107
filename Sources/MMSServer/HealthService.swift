import MMSMessages
import MMSRPC
import Synchronization

/// `mms.v1.Health`: SERVING while the server accepts calls, NOT_SERVING once it drains.
final class HealthService: HealthHandler {
    private let serving = Atomic<Bool>(true)

    func check(_ request: HealthCheckRequest, context: ServerContext) async throws -> HealthCheckResponse {
        HealthCheckResponse(status: self.serving.load(ordering: .relaxed) ? .serving : .notServing)
    }

    /// Reports NOT_SERVING from now on.
    func markNotServing() {
        self.serving.store(false, ordering: .relaxed)
    }
}
