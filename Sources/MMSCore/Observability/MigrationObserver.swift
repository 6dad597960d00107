/// What the engine tells an observer as it works (metrics: MMSServer's `EngineMetrics`).
///
/// The engine calls it at four places only (docs/ENGINE.md, "Metrics"): when a worker starts on
/// a claimed migration and when it lets go of it (`MigrationEngine.process`), and when the
/// outbox sends an invitation or fails to (`MigrationEngine.dispatchOutbox`). Whatever the
/// observer wants to know about the attempt's result (the record's state, its meeting
/// outcomes) it reads from the store itself, so the engine's paths stay as they are.
/// Each method must return at once: it runs on a worker.
public protocol MigrationObserver: Sendable {
    /// A worker started an attempt at the migration `id` (a claim).
    func migrationAttemptStarted(_ id: CorrelationID)
    /// The attempt at `id` ended: finished, rescheduled, lost its lease, or cut by shutdown.
    func migrationAttemptEnded(_ id: CorrelationID)
    /// The outbox handed an invitation to its sender, which took it (`refusedRecipients` of its
    /// recipients were refused for good, `deferredRecipients` are tried again later).
    func invitationSent(refusedRecipients: Int, deferredRecipients: Int)
    /// The sender could not take the invitation at all; it is tried again later.
    func invitationFailed()
}

/// The observer of an engine nobody observes.
public struct NoMigrationObserver: MigrationObserver {
    public init() {}
    public func migrationAttemptStarted(_ id: CorrelationID) {}
    public func migrationAttemptEnded(_ id: CorrelationID) {}
    public func invitationSent(refusedRecipients: Int, deferredRecipients: Int) {}
    public func invitationFailed() {}
}
