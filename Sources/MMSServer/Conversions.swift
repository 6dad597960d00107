import Foundation
import MMSCore
import MMSMessages
import MMSRPC

/// Conversions between the API's messages and the engine's types, and the engine's errors as statuses.
enum Convert {
    static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    static func date(micros: Int64) -> Date? {
        micros == 0 ? nil : Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    static func state(_ state: MMSCore.MigrationState) -> MMSMessages.MigrationState {
        switch state {
        case .pending: .pending
        case .inProgress: .inProgress
        case .failed: .failed
        case .succeeded: .succeeded
        }
    }

    /// The engine's state for a filter; nil for UNSPECIFIED (no filter).
    static func state(_ state: MMSMessages.MigrationState) -> MMSCore.MigrationState? {
        switch state {
        case .unspecified: nil
        case .pending: .pending
        case .inProgress: .inProgress
        case .failed: .failed
        case .succeeded: .succeeded
        }
    }

    static func migrationType(_ type: MMSCore.MigrationType) -> MMSMessages.MigrationType {
        switch type {
        case .sfbToTeams: .sfbToTeams
        case .teamsToTeams: .teamsToTeams
        case .toSameType: .toSameType
        case .allToTeams: .allToTeams
        }
    }

    static func source(_ type: MMSMessages.SourceMeetingType) -> MMSCore.SourceMeetingType {
        switch type {
        case .unspecified, .all: .all
        case .sfb: .skypeForBusiness
        case .teams: .teams
        }
    }

    static func target(_ type: MMSMessages.TargetMeetingType) -> MMSCore.TargetMeetingType {
        switch type {
        case .unspecified, .current: .current
        case .teams: .teams
        }
    }

    /// The API's record. `engine`, when given, says whether an in-progress migration's lease is
    /// held by a live worker of this server (``MigrationEngine/resumesAfter(_:)``).
    static func status(_ record: MigrationStatusRecord, engine: MigrationEngine? = nil) -> MMSMessages.MigrationStatus {
        MMSMessages.MigrationStatus(
            correlationId: record.correlationId.rawValue,
            userId: record.userId.rawValue,
            userPrincipalName: record.userPrincipalName,
            state: self.state(record.state),
            migrationType: self.migrationType(record.migrationType),
            retryCount: UInt32(clamping: record.retryCount),
            lastMessage: record.lastMessage,
            createDateMicros: self.micros(record.createDate),
            modifiedDateMicros: self.micros(record.modifiedDate),
            totalMeeting: UInt32(clamping: record.totalMeetings),
            succeededMeeting: UInt32(clamping: record.succeededMeetings),
            failedMeeting: UInt32(clamping: record.failedMeetings),
            invitesUpdate: UInt32(clamping: record.invitesUpdated),
            nextAttemptMicros: record.state == .pending ? record.nextAttempt.map(self.micros) ?? 0 : 0,
            resumesAfterMicros: engine?.resumesAfter(record).map(self.micros) ?? 0,
            refusedRecipients: UInt32(clamping: record.refusedRecipients)
        )
    }

    /// Runs `body`, turning the engine's errors into the statuses a caller can act on.
    static func engineCall<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MigrationEngineError {
            let code: StatusCode
            switch error.code {
            case .invalidArgument: code = .invalidArgument
            case .notFound: code = .notFound
            case .alreadyExists: code = .alreadyExists
            case .failedPrecondition: code = .failedPrecondition
            default: code = .unknown
            }
            throw RPCError(code, error.message)
        } catch let error as ConferencingError {
            // The conferencing service refused: the user's setup needs a fix first.
            throw RPCError(.failedPrecondition, error.message)
        }
    }
}
