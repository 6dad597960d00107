import Foundation
import Logging

/// The workers: claim due migrations, migrate each meeting, finish, retry or fail (M2, M7).
extension MigrationEngine {
    /// Runs the workers, the outbox dispatcher and daily pruning until the task is cancelled.
    ///
    /// Cancelling stops claiming new work; a migration cut short keeps its lease until it
    /// expires, then any engine resumes it where it stopped.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for index in 0..<max(1, configuration.workerCount) {
                let name = workerName(index)
                group.addTask { await self.workerLoop(name: name) }
            }
            group.addTask { await self.outboxLoop() }
            group.addTask { await self.pruneLoop() }
        }
    }

    /// Processes every migration due now, one after another, then sends the outbox.
    /// Returns how many migrations were processed. Meant for tests and tools; servers use ``run()``.
    @discardableResult
    public func runDueWork(owner: String? = nil) async throws -> Int {
        var processed = 0
        while let claim = try await store.claimDueMigrations(
            now: clock.now(), owner: owner ?? workerName(0), leaseDuration: configuration.leaseDuration, limit: 1
        ).first {
            await process(claim)
            processed += 1
        }
        try await dispatchOutbox()
        return processed
    }

    /// Sends every unsent invitation of the outbox; returns how many were sent.
    ///
    /// An invitation the sender refuses stays unsent (it is tried again at the next dispatch) and
    /// does not hold back the others.
    @discardableResult
    public func dispatchOutbox() async throws -> Int {
        let entered = outboxBusy.withLock { busy -> Bool in
            if busy { return false }
            busy = true
            return true
        }
        guard entered else { return 0 }  // another task is sending; it drains what we would have sent
        defer { outboxBusy.withLock { $0 = false } }
        var sent = 0
        var refused: Set<String> = []
        while true {
            let batch = try await store.dueInvitations(limit: 100 + refused.count, now: clock.now())
                .filter { !refused.contains($0.id) }
            if batch.isEmpty { return sent }
            if let recording = sender as? any BatchInvitationSender {
                // The built-in sender: the whole batch delivered and marked sent in one write.
                try await recording.deliverAndMarkSent(batch)
                for _ in batch { configuration.observer.invitationSent(refusedRecipients: 0, deferredRecipients: 0) }
                sent += batch.count
                continue
            }
            for invitation in batch {
                let delivery: InvitationDelivery
                do {
                    delivery = try await sender.deliver(invitation)
                } catch {
                    configuration.observer.invitationFailed()
                    refused.insert(invitation.id)
                    let attempt = deferrals.withLock { counts -> Int in
                        counts[invitation.id, default: 0] += 1
                        return counts[invitation.id]!
                    }
                    try await store.deferInvitation(invitation.id, until: clock.now().adding(outboxBackoff(attempt: attempt)))
                    logger.error("invitation not sent; retried later", metadata: [
                        "invitation": "\(invitation.id)", "error": "\(error)",
                    ])
                    continue
                }
                configuration.observer.invitationSent(refusedRecipients: delivery.failed.count, deferredRecipients: delivery.deferred.count)
                if !delivery.failed.isEmpty {
                    try await noteRefusedRecipients(delivery.failed, of: invitation)
                }
                if !delivery.deferred.isEmpty {
                    refused.insert(invitation.id)
                    let attempt = delivery.deferred.map(\.attempts).max() ?? 1
                    try await store.deferInvitation(invitation.id, until: clock.now().adding(outboxBackoff(attempt: attempt)))
                    logger.warning("invitation deferred for some recipients; retried later", metadata: [
                        "invitation": "\(invitation.id)", "deferred": "\(delivery.deferred.count)",
                        "reply": "\(delivery.deferred[0].reply)",
                    ])
                    continue
                }
                deferrals.withLock { _ = $0.removeValue(forKey: invitation.id) }
                try await store.markInvitationSent(invitation.id, now: clock.now())
                sent += 1
            }
        }
    }

    /// The wait before retry `attempt` (1-based) of a deferred invitation: doubling, at most an hour.
    func outboxBackoff(attempt: Int) -> Duration {
        let first = configuration.outboxRetryDelay
        let factor = 1 << min(max(attempt - 1, 0), 16)
        return min(first * factor, max(first, .seconds(3600)))
    }

    /// Writes the refused recipients into the migration's LastMessage: who, the server's words, what to do.
    private func noteRefusedRecipients(_ failed: [RecipientOutcome], of invitation: OutgoingInvitation) async throws {
        let shown = failed.prefix(5).map { "\($0.recipient) (\($0.reply))" }.joined(separator: ", ")
        let more = failed.count > 5 ? " and \(failed.count - 5) more" : ""
        let note = "the invitation for '\(invitation.subject)' was refused for \(shown)\(more): correct the address "
            + "in the meeting or the relay's policy for it, then run Start-CsExMeetingMigration -Identity "
            + "\(invitation.organizerPrincipalName) again"
        logger.warning("recipients refused by the mail server", metadata: [
            "invitation": "\(invitation.id)", "refused": "\(failed.count)",
        ])
        try await store.appendMigrationNote(invitation.correlationId, note: note, refusedRecipients: failed.count, now: clock.now())
    }

    func workerLoop(name: String) async {
        while !Task.isCancelled {
            do {
                let claims = try await store.claimDueMigrations(
                    now: clock.now(), owner: name, leaseDuration: configuration.leaseDuration, limit: 1)
                if let claim = claims.first {
                    await process(claim)
                    continue
                }
                try await sleepUntilDueOrPoll()
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.error("worker failed to claim work", metadata: ["worker": "\(name)", "error": "\(error)"])
                try? await clock.sleep(until: clock.now().adding(configuration.pollInterval))
            }
        }
    }

    func outboxLoop() async {
        while !Task.isCancelled {
            do {
                try await dispatchOutbox()
            } catch is CancellationError {
                return  // shutdown: what is unsent stays in the outbox for the next start
            } catch {
                if Task.isCancelled { return }
                logger.error("outbox dispatch failed", metadata: ["error": "\(error)"])
            }
            // Until the poll interval passes or a worker queues invitations, whichever comes first.
            let wake = clock.now().adding(configuration.pollInterval)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await self.clock.sleep(until: wake) }
                group.addTask { await self.outboxBell.wait() }
                await group.next()
                group.cancelAll()
            }
            if Task.isCancelled { return }
        }
    }

    func pruneLoop() async {
        while !Task.isCancelled {
            do {
                let pruned = try await pruneStatusRecords()
                if pruned > 0 { logger.info("pruned status records", metadata: ["count": "\(pruned)"]) }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.error("pruning failed", metadata: ["error": "\(error)"])
            }
            // Hourly; more often when the retention is short (test set-ups), so S2 can be watched.
            let interval = min(.seconds(3600), max(.seconds(1), configuration.statusRetention / 4))
            do { try await clock.sleep(until: clock.now().adding(interval)) } catch { return }
        }
    }

    private func sleepUntilDueOrPoll() async throws {
        let now = clock.now()
        var wake = now.adding(configuration.pollInterval)
        if let due = try await store.nextDueDate(), due < wake { wake = max(due, now) }
        try await clock.sleep(until: wake)
    }

    /// Processes one claimed migration to its end, its next retry, or the loss of its lease.
    func process(_ claim: ClaimedMigration) async {
        let record = claim.record
        var lease = claim.lease
        let metadata: Logger.Metadata = ["correlationId": "\(record.correlationId)", "user": "\(record.userPrincipalName)"]
        configuration.observer.migrationAttemptStarted(record.correlationId)
        defer { configuration.observer.migrationAttemptEnded(record.correlationId) }
        do {
            if claim.claimCount > configuration.maximumClaims {
                try await store.finishMigration(
                    lease, state: .failed,
                    message: "the migration was interrupted \(claim.claimCount - 1) times before it could finish (its worker "
                        + "stopped each time); check the server logs, then run Start-CsExMeetingMigration -Identity "
                        + "\(record.userPrincipalName) again",
                    now: clock.now())
                return
            }
            guard let organizer = try await store.user(record.tenant, id: record.userId) else {
                try await store.finishMigration(
                    lease, state: .failed, message: "the user \(record.userPrincipalName) no longer exists in the directory",
                    now: clock.now())
                return
            }
            let migrator = MeetingMigrator(conferencing: conferencing)
            let startedAt = clock.now()
            let mailbox = try await mailboxes.mailbox(for: record.tenant)
            // The built-in calendar's rewrite joins the store's transaction; another mailbox is
            // written first, then the outcome recorded (migrateRemote, MigrationEngine+Mailbox.swift).
            let builtIn = mailbox is BuiltInMailbox
            let found = builtIn
                ? try await BuiltInMailbox.future(store: store, organizer: organizer, now: startedAt).map(BuiltInMailbox.wrap)
                : try await mailbox.futureMeetings(of: organizer, now: startedAt)
            let meetings = found.map(\.meeting)
            var previous: [MeetingID: MeetingOutcomeRecord] = [:]
            for outcome in try await store.meetingOutcomes(record.correlationId) { previous[outcome.meeting] = outcome }
            let selected = Set(meetings.map(\.id))

            // A meeting that failed earlier and has started since is no longer worth migrating.
            var known = previous
            for outcome in previous.values where outcome.outcome == .failed && !selected.contains(outcome.meeting) {
                let skipped = MeetingOutcomeRecord(
                    correlationId: record.correlationId, meeting: outcome.meeting, subject: outcome.subject, outcome: .skipped,
                    reason: "the meeting started before it could be migrated", recorded: clock.now())
                try await store.recordMeetingOutcome(skipped, rewrite: nil, invitation: nil, lease: lease)
                known[outcome.meeting] = skipped
            }

            if builtIn {
                let finished: Bool
                (lease, finished) = try await migrateBuiltIn(
                    meetings, previous: previous, known: known, with: migrator, organizer: organizer, migration: record, lease: lease)
                if finished {
                    logger.info("migration succeeded", metadata: ["correlationId": "\(record.correlationId)"])
                    return
                }
            } else {
                for entry in found {
                    if let done = previous[entry.meeting.id], done.outcome != .failed { continue }  // finished by an earlier attempt
                    try Task.checkCancellation()
                    lease = try await renewIfNeeded(lease)
                    try await migrateRemote(
                        entry, in: mailbox, with: migrator, organizer: organizer, migration: record, lease: lease,
                        previous: previous[entry.meeting.id])
                }
            }
            try await conclude(record, lease: lease, organizer: organizer)
        } catch is CancellationError {
            // Shutdown: the lease expires and any engine resumes where this one stopped; no retry is counted.
            logger.info("migration interrupted by shutdown", metadata: metadata)
            return
        } catch let conflict as MigrationStoreConflict {
            logger.warning("migration stopped: lease lost", metadata: metadata.merging(["conflict": "\(conflict)"]) { $1 })
        } catch {
            logger.error("migration attempt failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            await retryOrFail(record, lease: lease, message: "the migration could not run: \(error)")
        }
        // The outbox is sent by its own task (outboxLoop, within a poll interval), never by a
        // worker: a slow mail relay must not hold a migration worker (issue 10).
    }

    /// The built-in calendar's meetings, planned in memory a batch at a time and each batch
    /// recorded in one fenced transaction with its rewrites, outcomes, online meetings and
    /// invitations (issue 11). A meeting edited between its read and the batch's commit is read
    /// and planned again on its own. When the last batch leaves no meeting failed, the migration's
    /// end is written with it (one commit). Returns the lease, renewed as needed, and whether the
    /// migration was finished so.
    private func migrateBuiltIn(
        _ meetings: [CalendarMeeting], previous: [MeetingID: MeetingOutcomeRecord], known: [MeetingID: MeetingOutcomeRecord],
        with migrator: MeetingMigrator, organizer: User, migration: MigrationStatusRecord, lease: MigrationLease
    ) async throws -> (MigrationLease, finished: Bool) {
        var lease = lease
        var batch: [MeetingOutcomeWrite] = []
        batch.reserveCapacity(configuration.meetingBatchSize)
        var planned: [MeetingID: CalendarMeeting] = [:]
        // Every outcome of the migration so far, as recorded: enough to decide its end in memory
        // (until a meeting is re-planned on its own, after which the end is read from the store).
        var known = known
        var replanned = false
        func flush(last: Bool) async throws -> Bool {
            for write in batch { known[write.outcome.meeting] = write.outcome }
            var finish: MigrationFinish?
            if last, !replanned, !known.values.contains(where: { $0.outcome == .failed }) {
                let skipped = known.values.filter { $0.outcome == .skipped }
                    .sorted { ($0.recorded, $0.meeting.rawValue) < ($1.recorded, $1.meeting.rawValue) }
                finish = MigrationFinish(
                    state: .succeeded, message: skipped.isEmpty ? "" : "\(skipped.count) meeting(s) left alone: " + describe(skipped),
                    now: clock.now())
            }
            let changed: [MeetingID]
            if let finish {
                changed = try await store.recordMeetingOutcomes(batch, lease: lease, finish: finish)
            } else {
                changed = try await store.recordMeetingOutcomes(batch, lease: lease)
            }
            if batch.contains(where: { $0.invitation != nil }) { outboxBell.ring() }
            batch.removeAll(keepingCapacity: true)
            for id in changed {
                replanned = true
                try await replan(id, planned: planned[id], with: migrator, organizer: organizer, migration: migration, lease: lease)
            }
            planned.removeAll(keepingCapacity: true)
            return finish != nil && changed.isEmpty
        }
        for meeting in meetings {
            if let done = previous[meeting.id], done.outcome != .failed { continue }  // finished by an earlier attempt
            try Task.checkCancellation()
            lease = try await renewIfNeeded(lease)
            let plan = await migrator.plan(meeting, organizer: organizer, scope: migration.scope, scheduling: .deferred)
            // A failure caused by shutdown is not the meeting's fault: record nothing, resume later.
            try Task.checkCancellation()
            guard let write = outcomeWrite(plan, for: meeting, organizer: organizer, migration: migration) else { continue }
            batch.append(write)
            planned[meeting.id] = meeting
            if batch.count >= configuration.meetingBatchSize { _ = try await flush(last: false) }
        }
        if !batch.isEmpty { return (lease, try await flush(last: true)) }
        return (lease, false)
    }

    /// A meeting whose version check failed in its batch: read again and planned alone; if it
    /// changes once more before its write, it is failed for this attempt (retried, M7).
    private func replan(
        _ id: MeetingID, planned: CalendarMeeting?, with migrator: MeetingMigrator, organizer: User,
        migration: MigrationStatusRecord, lease: MigrationLease
    ) async throws {
        let now = clock.now()
        func record(_ kind: MeetingOutcome, _ reason: String, subject: String) async throws {
            let outcome = MeetingOutcomeRecord(
                correlationId: migration.correlationId, meeting: id, subject: subject, outcome: kind, reason: reason, recorded: now)
            _ = try await store.recordMeetingOutcomes([MeetingOutcomeWrite(outcome: outcome)], lease: lease)
        }
        guard let meeting = try await store.meeting(migration.tenant, id: id) else {
            try await record(.skipped, "the meeting was deleted while it was being migrated", subject: planned?.subject ?? id.rawValue)
            return
        }
        let plan = await migrator.plan(meeting, organizer: organizer, scope: migration.scope, scheduling: .deferred)
        try Task.checkCancellation()
        guard let write = outcomeWrite(plan, for: meeting, organizer: organizer, migration: migration) else { return }
        if try await !store.recordMeetingOutcomes([write], lease: lease).isEmpty {
            try await record(.failed, "the meeting was edited while it was being migrated; it is retried", subject: meeting.subject)
        }
    }

    /// What to record for one planned meeting of the built-in calendar; nil when not selected.
    private func outcomeWrite(
        _ plan: MeetingPlan, for meeting: CalendarMeeting, organizer: User, migration: MigrationStatusRecord
    ) -> MeetingOutcomeWrite? {
        let now = clock.now()
        func outcome(_ kind: MeetingOutcome, _ reason: String) -> MeetingOutcomeRecord {
            MeetingOutcomeRecord(
                correlationId: migration.correlationId, meeting: meeting.id, subject: meeting.subject,
                outcome: kind, reason: reason, recorded: now)
        }
        switch plan {
        case .notSelected:
            return nil
        case .skip(_, let reason):
            return MeetingOutcomeWrite(outcome: outcome(.skipped, reason))
        case .fail(let reason):
            return MeetingOutcomeWrite(outcome: outcome(.failed, reason))
        case .migrate(let rewritten, let target, _, let toSave, _):
            let invitation = OutgoingInvitation(
                id: "\(migration.correlationId)/\(meeting.id)", correlationId: migration.correlationId, tenant: meeting.tenant,
                meeting: meeting.id, organizerPrincipalName: organizer.userPrincipalName,
                recipients: MailAddress.distinct(meeting.attendees, excluding: organizer.userPrincipalName),
                subject: rewritten.subject, body: rewritten.body, bodyFormat: rewritten.bodyFormat,
                attachments: rewritten.attachments, start: rewritten.start, end: rewritten.end, created: now,
                sequence: meeting.version + 1)
            return MeetingOutcomeWrite(
                outcome: outcome(.migrated, "now a \(target.kind.displayName) meeting at \(target.joinURL)"),
                rewrite: MeetingRewrite(expectedVersion: meeting.version, rewritten: rewritten),
                invitation: invitation, onlineMeeting: toSave)
        }
    }

    private func conclude(_ record: MigrationStatusRecord, lease: MigrationLease, organizer: User) async throws {
        let outcomes = try await store.meetingOutcomes(record.correlationId)
        let failed = outcomes.filter { $0.outcome == .failed }
        let skipped = outcomes.filter { $0.outcome == .skipped }
        if failed.isEmpty {
            let message = skipped.isEmpty ? "" : "\(skipped.count) meeting(s) left alone: " + describe(skipped)
            try await store.finishMigration(lease, state: .succeeded, message: message, now: clock.now())
            logger.info("migration succeeded", metadata: ["correlationId": "\(record.correlationId)"])
            return
        }
        let message = "\(failed.count) meeting(s) could not be migrated: " + describe(failed)
        await retryOrFail(record, lease: lease, message: message, organizer: organizer)
    }

    private func retryOrFail(_ record: MigrationStatusRecord, lease: MigrationLease, message: String, organizer: User? = nil) async {
        let now = clock.now()
        let nextRetry = record.retryCount + 1
        do {
            if let delay = configuration.retrySchedule.delay(beforeRetry: nextRetry) {
                try await store.rescheduleMigration(
                    lease, retryAt: now.adding(delay),
                    message: "\(message) (retry \(nextRetry) of \(configuration.retrySchedule.maximumRetries) scheduled)", now: now)
            } else {
                let identity = organizer?.userPrincipalName ?? record.userPrincipalName
                try await store.finishMigration(
                    lease, state: .failed,
                    message: "\(message). Gave up after \(configuration.retrySchedule.maximumRetries) retries: fix the cause, "
                        + "then run Start-CsExMeetingMigration -Identity \(identity) again",
                    now: now)
            }
        } catch {
            logger.error("could not record the attempt's end", metadata: ["correlationId": "\(record.correlationId)", "error": "\(error)"])
        }
    }

    private func renewIfNeeded(_ lease: MigrationLease) async throws -> MigrationLease {
        let now = clock.now()
        let (seconds, _) = configuration.leaseDuration.components
        guard lease.expires.timeIntervalSince(now) < Double(seconds) * 2 / 3 else { return lease }
        return try await store.renewLease(lease, now: now, duration: configuration.leaseDuration)
    }

    private func describe(_ outcomes: [MeetingOutcomeRecord]) -> String {
        let shown = outcomes.prefix(5).map { "'\($0.subject)': \($0.reason)" }.joined(separator: "; ")
        return outcomes.count > 5 ? shown + "; and \(outcomes.count - 5) more" : shown
    }
}
