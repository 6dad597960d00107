/// An audio-conferencing bridge: the phone numbers a tenant's users dial into.
public struct Bridge: Sendable, Hashable, Codable {
    /// The bridge's identifier.
    public var id: BridgeID
    /// The tenant that owns the bridge.
    public var tenant: TenantID
    /// A display name.
    public var name: String
    /// The numbers assigned to the bridge; the first is the default number.
    public var numbers: [DialInNumber]

    /// Creates a bridge.
    public init(id: BridgeID, tenant: TenantID, name: String, numbers: [DialInNumber]) {
        self.id = id
        self.tenant = tenant
        self.name = name
        self.numbers = numbers
    }

    /// The default number, shown first in invitations.
    public var defaultNumber: DialInNumber? { numbers.first }
}
