import Foundation
import GRDB
import MMSCore
import MMSStoredForms

extension SQLiteMigrationStore {
    public func unsentInvitations(limit: Int) async throws -> [OutgoingInvitation] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT body, data, sent_at FROM outbox INDEXED BY outbox_unsent WHERE sent_at IS NULL ORDER BY created_at LIMIT ?",
                arguments: [limit]
            ).map(Self.invitation(from:))
        }
    }

    public func markInvitationSent(_ id: String, now: Date) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL", arguments: [now.micros, id])
        }
    }

    public func invitations(forMeeting meeting: MeetingID) async throws -> [OutgoingInvitation] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT body, data, sent_at FROM outbox WHERE meeting = ? ORDER BY created_at", arguments: [meeting.rawValue]
            ).map(Self.invitation(from:))
        }
    }

    public func recordDelivery(_ invitation: OutgoingInvitation, now: Date) async throws -> Bool {
        let data = try Self.invitationData(invitation)
        return try await write { db in try Self.insertDelivery(db, invitation, data: data, now: now) }
    }

    public func deliveries(forMeeting meeting: MeetingID) async throws -> [(invitation: OutgoingInvitation, attempts: Int)] {
        let rows = try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT body, data, delivered_at AS sent_at, attempts FROM deliveries WHERE meeting = ? ORDER BY delivered_at",
                arguments: [meeting.rawValue]
            ).map { (try Self.invitation(from: $0), $0["attempts"] as Int) }
        }
        return rows.map { (invitation: $0.0, attempts: $0.1) }
    }

    static func invitation(from row: Row) throws -> OutgoingInvitation {
        var invitation = try StoredForm.invitation(row["data"], body: String(utf8Data: row["body"]))
        invitation.sent = row.optionalDate("sent_at")
        return invitation
    }
}
