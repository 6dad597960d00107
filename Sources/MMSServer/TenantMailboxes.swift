import Foundation
import MMSCore

/// Each tenant's mailbox, as its settings say (R1): the built-in calendar, or a CalDAV server
/// reached with the password kept in the secret store.
public final class TenantMailboxes: MailboxDirectory {
    /// Builds a CalDAV mailbox from a tenant's settings and password.
    public typealias CalDAVFactory = @Sendable (MailboxSettings, String?) throws -> any Mailbox

    let store: any MigrationStore
    let secrets: any SecretStore
    let builtIn: BuiltInMailbox
    let calDAV: CalDAVFactory?

    /// Mailboxes over `store`, with passwords from `secrets`; `calDAV` nil means a tenant set to
    /// CalDAV gets a clear error rather than the built-in calendar.
    public init(store: any MigrationStore, secrets: any SecretStore, calDAV: CalDAVFactory?) {
        self.store = store
        self.secrets = secrets
        self.builtIn = BuiltInMailbox(store: store)
        self.calDAV = calDAV
    }

    public func mailbox(for tenant: TenantID) async throws -> any Mailbox {
        guard let settings = try await store.tenantSettings(tenant).mailbox, settings.kind == .calDAV else { return builtIn }
        guard let calDAV else {
            throw MailboxError.misconfigured("tenant \(tenant) is set to CalDAV, but this server has no CalDAV connector")
        }
        return try calDAV(settings, try secrets.secret(SecretName.mailboxPassword(tenant)))
    }
}
