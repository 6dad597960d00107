import MMSCore

/// What a write's result says for its audit record (R8), the same for both backends.
package enum AuditSummary {
    /// What a write's result says for the record: the migrations it queued or merged into, and,
    /// for a directory change or an enqueue, its outcome (`REFUSED` when the rules refused it)
    /// and a sentence. Nil when the result says nothing of the kind.
    package static func of(_ value: Any) -> (ids: [String], outcome: String?, detail: String?) {
        func one(_ outcome: EnqueueOutcome) -> (ids: [String], outcome: String?, detail: String?) {
            switch outcome {
            case .queued(let record): return ([record.correlationId.rawValue], "OK", "migration queued")
            case .merged(let record): return ([record.correlationId.rawValue], "OK", "merged into the pending migration")
            case .followUp(let record): return ([record.correlationId.rawValue], "OK", "follow-up migration queued")
            case .notQueued(let reason): return ([], reason.changeApplied ? "OK" : "REFUSED", "no migration: \(reason.message)")
            }
        }
        switch value {
        case let outcome as EnqueueOutcome: return one(outcome)
        case let outcome as DirectoryChangeOutcome: return one(outcome.migration)
        case let outcomes as [DirectoryChangeOutcome]:
            let ids = outcomes.compactMap { $0.migration.record?.correlationId.rawValue }
            return (ids, "OK", "\(outcomes.count) user(s) changed, \(ids.count) migration(s) queued")
        default: return ([], nil, nil)
        }
    }
}
