import Foundation

/// The built-in sender: "delivers" by recording the invitation in the store, at most once per id.
///
/// Stands in for the mail connector a later issue adds; attendees' mailboxes are the
/// store's delivery table, which tests read to check that nothing was sent twice.
public struct StoreInvitationSender: BatchInvitationSender {
    private let store: any OutboxStore
    private let clock: any MigrationClock

    /// Creates a sender writing into `store`.
    public init(store: any OutboxStore, clock: any MigrationClock) {
        self.store = store
        self.clock = clock
    }

    public func deliver(_ invitation: OutgoingInvitation) async throws -> InvitationDelivery {
        let now = clock.now()
        _ = try await store.recordDelivery(invitation, now: now)
        return InvitationDelivery(outcomes: invitation.recipients.map {
            RecipientOutcome(
                invitationId: invitation.id, messageId: invitation.id, recipient: $0, state: .delivered,
                reply: "recorded by the built-in sender", recorded: now)
        })
    }

    public func deliverAndMarkSent(_ batch: [OutgoingInvitation]) async throws {
        try await store.recordDeliveriesAndMarkSent(batch, now: clock.now())
    }
}
