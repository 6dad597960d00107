import CoreMetrics
import Logging
import MMSCore
import Synchronization

/// Gauges read from the store: migrations by state (`mms_migrations{state}`) and the outbox
/// backlog (`mms_outbox_backlog`). A scrape refreshes them when they are older than `interval`
/// (default 5 s), so many scrapers cost the store at most one pair of counting queries per interval.
final class StoreGauges: Sendable {
    private let store: any StoreCounts
    private let interval: Duration
    private let logger: Logger
    private let byState: [(MigrationState, CoreMetrics.Gauge)]
    private let backlog: CoreMetrics.Gauge
    private let lastRefresh = Mutex<ContinuousClock.Instant?>(nil)

    init(store: any StoreCounts, factory: any MetricsFactory, interval: Duration = .seconds(5), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
        self.byState = MigrationState.allCases.map { state in
            (state, CoreMetrics.Gauge(label: "mms_migrations", dimensions: [("state", Self.label(state))], factory: factory))
        }
        self.backlog = CoreMetrics.Gauge(label: "mms_outbox_backlog", factory: factory)
    }

    static func label(_ state: MigrationState) -> String {
        switch state {
        case .pending: "pending"
        case .inProgress: "in_progress"
        case .failed: "failed"
        case .succeeded: "succeeded"
        }
    }

    /// Reads the counts again unless the last read is recent.
    func refreshIfStale() async {
        let now = ContinuousClock.now
        let due = self.lastRefresh.withLock { last -> Bool in
            if let last, now - last < self.interval { return false }
            last = now  // taken now, so that concurrent scrapes do not all query
            return true
        }
        guard due else { return }
        do {
            let counts = try await self.store.migrationCountsByState()
            for (state, gauge) in self.byState { gauge.record(counts[state] ?? 0) }
            self.backlog.record(try await self.store.outboxBacklog())
        } catch {
            self.logger.warning("metrics: could not count migrations", metadata: ["error": "\(error)"])
        }
    }
}
