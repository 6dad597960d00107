import Foundation

/// The identifier of a tenant (an organisation); every other record belongs to exactly one.
public struct TenantID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The identifier's string form.
    public var rawValue: String
    /// Creates a tenant identifier from its string form.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Creates a tenant identifier from its string form.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// The stable identifier of a user (the `UserId` column of `Get-CsMeetingMigrationStatus`).
///
/// Unlike the user principal name it never changes, so migrations and meetings refer to it.
public struct UserID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The identifier's string form.
    public var rawValue: String
    /// Creates a user identifier from its string form.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Creates a user identifier from its string form.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// A new random identifier (a lowercase UUID).
    public static func random() -> UserID { UserID(UUID().uuidString.lowercased()) }
    public var description: String { rawValue }
}

/// The identifier of an audio-conferencing bridge.
public struct BridgeID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The identifier's string form.
    public var rawValue: String
    /// Creates a bridge identifier from its string form.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Creates a bridge identifier from its string form.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// The identifier of a meeting in a user's calendar.
public struct MeetingID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The identifier's string form.
    public var rawValue: String
    /// Creates a meeting identifier from its string form.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Creates a meeting identifier from its string form.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// A new random identifier (a lowercase UUID).
    public static func random() -> MeetingID { MeetingID(UUID().uuidString.lowercased()) }
    public var description: String { rawValue }
}

/// The identifier of one migration (the `CorrelationId` of `Get-CsMeetingMigrationStatus`).
///
/// Triggers that coalesce into a pending migration share its correlation id.
public struct CorrelationID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The identifier's string form.
    public var rawValue: String
    /// Creates a correlation identifier from its string form.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Creates a correlation identifier from its string form.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// A new random identifier (a lowercase UUID).
    public static func random() -> CorrelationID { CorrelationID(UUID().uuidString.lowercased()) }
    public var description: String { rawValue }
}
