import CoreMetrics
import Foundation
import Logging
import MMSCore
import Synchronization

/// The engine's metrics (docs/ENGINE.md, "Metrics"), told by the engine at its four observer
/// calls (`MigrationObserver`). What an attempt came to is read from the store once it ended,
/// off the worker: the record's state, and, for a migration that finished, its meeting outcomes,
/// each meeting counted once, by outcome and by a bounded reason (``reasonLabel(_:)``).
final class EngineMetrics: MigrationObserver {
    private let store: any MigrationStore
    private let factory: any MetricsFactory
    private let logger: Logger
    private let started: CoreMetrics.Counter
    private let refusedRecipients: CoreMetrics.Counter
    private let starts = Mutex<[CorrelationID: ContinuousClock.Instant]>([:])
    private let labelled: LabelledMetrics

    init(store: any MigrationStore, factory: any MetricsFactory, logger: Logger) {
        self.store = store
        self.factory = factory
        self.labelled = LabelledMetrics(factory: factory)
        self.logger = logger
        self.started = CoreMetrics.Counter(label: "mms_migration_attempts_started_total", factory: factory)
        self.refusedRecipients = CoreMetrics.Counter(label: "mms_invitation_recipients_refused_total", factory: factory)
        // Made now, so that a scrape shows them at zero before the first migration.
        for result in ["succeeded", "failed", "retry", "interrupted"] {
            _ = self.counter("mms_migration_attempts_ended_total", [("result", result)])
        }
        for state in ["succeeded", "failed"] { _ = self.counter("mms_migrations_finished_total", [("state", state)]) }
        for outcome in ["sent", "deferred", "failed"] { _ = self.counter("mms_invitations_total", [("outcome", outcome)]) }
    }

    func migrationAttemptStarted(_ id: CorrelationID) {
        self.started.increment()
        self.starts.withLock { $0[id] = .now }
    }

    func migrationAttemptEnded(_ id: CorrelationID) {
        let began = self.starts.withLock { $0.removeValue(forKey: id) }
        let elapsed = began.map { ContinuousClock.now - $0 }
        Task { await self.attemptEnded(id, after: elapsed) }
    }

    func invitationSent(refusedRecipients: Int, deferredRecipients: Int) {
        self.counter("mms_invitations_total", [("outcome", deferredRecipients > 0 ? "deferred" : "sent")]).increment()
        if refusedRecipients > 0 { self.refusedRecipients.increment(by: refusedRecipients) }
    }

    func invitationFailed() {
        self.counter("mms_invitations_total", [("outcome", "failed")]).increment()
    }

    private func attemptEnded(_ id: CorrelationID, after elapsed: Duration?) async {
        do {
            guard let record = try await self.store.migrationStatus(id) else { return }
            let result: String
            switch record.state {
            case .succeeded: result = "succeeded"
            case .failed: result = "failed"
            case .inProgress, .pending: result = record.leaseOwner == nil ? "retry" : "interrupted"
            }
            self.counter("mms_migration_attempts_ended_total", [("result", result)]).increment()
            if let elapsed {
                self.timer("mms_migration_duration_seconds", [("result", result)]).recordNanoseconds(elapsed.metricNanoseconds)
            }
            guard record.state == .succeeded || record.state == .failed else { return }
            self.counter("mms_migrations_finished_total", [("state", result)]).increment()
            for outcome in try await self.store.meetingOutcomes(id) {
                self.counter("mms_meetings_total", [("outcome", outcome.outcome.rawValue), ("reason", Self.reasonLabel(outcome))])
                    .increment()
            }
        } catch {
            self.logger.debug("metrics: could not read the migration's record", metadata: ["correlationId": "\(id)", "error": "\(error)"])
        }
    }

    /// A bounded name for why a meeting was skipped or failed: the reasons are sentences that
    /// carry subjects and URLs, which a label must never hold.
    static func reasonLabel(_ outcome: MeetingOutcomeRecord) -> String {
        if outcome.outcome == .migrated { return "none" }
        let text = outcome.reason
        let rules: [(String, String)] = [
            ("M5:", "too_many_participants"),
            ("M4:", "not_created_through_service"),
            ("no online-meeting block", "no_block"),
            ("started before", "already_started"),
            ("could not be reached", "service_unreachable"),
            ("edited while", "changed_concurrently"),
            ("kept changing", "changed_concurrently"),
            ("deleted", "deleted"),
            ("read", "unreadable"),
        ]
        return rules.first { text.contains($0.0) }?.1 ?? "other"
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        self.labelled.counter(label, dimensions)
    }

    private func timer(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Timer {
        self.labelled.timer(label, dimensions)
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var metricNanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? .min : .max) : product &+ attoseconds / 1_000_000_000
    }
}
