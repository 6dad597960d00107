/// Where secrets (a CalDAV or SMTP password) are kept: apart from the databases, readable by the
/// server's user only, never returned by a call, printed or logged (R6).
public protocol SecretStore: Sendable {
    /// The secret stored under `name`, if any.
    func secret(_ name: String) throws -> String?
    /// Stores `secret` under `name`, replacing any; nil deletes it.
    func setSecret(_ secret: String?, for name: String) throws
}

/// The names secrets are stored under.
public enum SecretName {
    /// A tenant's mailbox (CalDAV) password.
    public static func mailboxPassword(_ tenant: TenantID) -> String { "mailbox-\(tenant.rawValue)" }
    /// A tenant's SMTP relay password.
    public static func smtpPassword(_ tenant: TenantID) -> String { "smtp-\(tenant.rawValue)" }
}
