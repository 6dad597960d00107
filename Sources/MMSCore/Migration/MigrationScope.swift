/// `-SourceMeetingType` of `Start-CsExMeetingMigration` (MISSION T4): which meetings to select.
public enum SourceMeetingType: String, Sendable, Hashable, Codable, CaseIterable {
    /// Skype for Business and Teams meetings (the default).
    case all
    /// Skype for Business meetings, on-premises or online.
    case skypeForBusiness
    /// Teams meetings.
    case teams
}

/// `-TargetMeetingType` of `Start-CsExMeetingMigration` (MISSION T4): what selected meetings become.
public enum TargetMeetingType: String, Sendable, Hashable, Codable, CaseIterable {
    /// Keep each meeting's kind (on-premises Skype meetings go to Skype online), refresh dial-in (the default).
    case current
    /// Turn every selected meeting into a Teams meeting.
    case teams
}

/// What a migration does to the user's Skype for Business meetings.
public enum SkypeMeetingTreatment: String, Sendable, Hashable, Codable, Comparable {
    /// Keep them Skype meetings, hosted online, with refreshed dial-in details.
    case keepKind
    /// Turn them into Teams meetings.
    case convertToTeams

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs == .keepKind && rhs == .convertToTeams }
}

/// What one migration does, per kind of source meeting.
///
/// Kept per kind rather than as one (source, target) pair so that coalescing
/// triggers never does more than some trigger asked for: merging "refresh my
/// Skype meetings" with "move my Teams meetings to Teams" must not convert the
/// Skype meetings. See docs/ENGINE.md.
public struct MigrationScope: Sendable, Hashable, Codable {
    /// What happens to Skype for Business meetings; `nil` means they are not selected.
    public var skypeMeetings: SkypeMeetingTreatment?
    /// Whether Teams meetings are selected (they always stay Teams meetings, with refreshed details).
    public var teamsMeetings: Bool

    /// Creates a scope from its parts.
    public init(skypeMeetings: SkypeMeetingTreatment?, teamsMeetings: Bool) {
        self.skypeMeetings = skypeMeetings
        self.teamsMeetings = teamsMeetings
    }

    /// The scope of `Start-CsExMeetingMigration -SourceMeetingType source -TargetMeetingType target`.
    public init(source: SourceMeetingType, target: TargetMeetingType) {
        let selectsSkype = source != .teams
        skypeMeetings = selectsSkype ? (target == .teams ? .convertToTeams : .keepKind) : nil
        teamsMeetings = source != .skypeForBusiness
    }

    /// The union of two requests: every meeting either selects, and Teams wins over keeping the kind.
    public func merged(with other: MigrationScope) -> MigrationScope {
        let skype: SkypeMeetingTreatment?
        switch (skypeMeetings, other.skypeMeetings) {
        case (nil, nil): skype = nil
        case (let one?, nil), (nil, let one?): skype = one
        case (let one?, let two?): skype = max(one, two)
        }
        return MigrationScope(skypeMeetings: skype, teamsMeetings: teamsMeetings || other.teamsMeetings)
    }

    /// Whether a meeting of this kind is selected.
    public func selects(_ kind: MeetingKind) -> Bool {
        switch kind {
        case .teams: teamsMeetings
        case .skypeOnline, .skypeOnPremises: skypeMeetings != nil
        }
    }

    /// The kind a selected meeting of `kind` becomes.
    public func targetKind(for kind: MeetingKind) -> MeetingKind {
        switch kind {
        case .teams: .teams
        case .skypeOnline, .skypeOnPremises: skypeMeetings == .convertToTeams ? .teams : .skypeOnline
        }
    }

    /// The `MigrationType` column of the status record.
    public var migrationType: MigrationType {
        switch (skypeMeetings, teamsMeetings) {
        case (.convertToTeams?, true): .allToTeams
        case (.convertToTeams?, false): .sfbToTeams
        case (.keepKind?, _): .toSameType
        case (nil, _): .teamsToTeams
        }
    }
}

/// The `MigrationType` column of `Get-CsMeetingMigrationStatus`.
public enum MigrationType: String, Sendable, Hashable, Codable, CaseIterable {
    /// Skype for Business meetings become Teams meetings.
    case sfbToTeams
    /// Teams meetings are refreshed.
    case teamsToTeams
    /// Meetings keep their kind (on-premises Skype goes online); dial-in refreshed.
    case toSameType
    /// Skype for Business and Teams meetings all become (or stay) Teams meetings.
    case allToTeams
}
