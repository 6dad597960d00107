import Foundation
import Logging
import MMSCore
import ServiceLifecycle

/// Deletes audit records older than the status records' retention (R8: kept as long as S2's),
/// hourly, or more often when the retention is short (tests), as the engine prunes status records.
struct AuditPruneService: Service {
    let stores: [any AuditStore]
    let retention: Duration
    let logger: Logger

    func run() async throws {
        let interval = min(.seconds(3600), max(.seconds(1), self.retention / 4))
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let cutoff = Date().addingTimeInterval(-Double(self.retention.components.seconds))
            for store in self.stores {
                do {
                    let pruned = try await store.pruneAudit(before: cutoff)
                    if pruned > 0 { self.logger.info("pruned audit records", metadata: ["count": "\(pruned)"]) }
                } catch {
                    self.logger.error("audit pruning failed", metadata: ["error": "\(error)"])
                }
            }
            try? await gracefulShutdown(for: interval)
        }
    }
}

/// Sleeps until `duration` passed or a graceful shutdown began.
private func gracefulShutdown(for duration: Duration) async throws {
    try await cancelWhenGracefulShutdown {
        try await Task.sleep(for: duration)
    }
}
