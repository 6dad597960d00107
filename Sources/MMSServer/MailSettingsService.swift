import Foundation
import MMSCore
import MMSMessages
import MMSRPC
import MMSSMTP

/// The mail part of `mms.v1.TenantConfigurationService` (issue 10): the tenant's SMTP relay.
///
/// A tenant admin sets and tests; a reader may read. The password goes to the ``SecretStore`` and
/// comes back only as `password_set` (R6).
struct MailSettingsCalls: Sendable {
    let store: any MailDeliveryStore
    let secrets: any SecretStore
    let smtp: SMTPInvitationSender

    func get(_ tenant: TenantID) async throws -> MMSMessages.MailSettings {
        guard let settings = try await Convert.engineCall({ try await self.store.mailSettings(tenant) }) else {
            return MMSMessages.MailSettings(configured: false)
        }
        return Self.message(settings, passwordSet: try self.secrets.secret(SecretName.smtpPassword(tenant)) != nil)
    }

    func set(_ tenant: TenantID, _ request: SetMailSettingsRequest) async throws -> MMSMessages.MailSettings {
        if request.remove {
            try await Convert.engineCall { try await self.store.saveMailSettings(tenant, nil) }
            try self.secrets.setSecret(nil, for: SecretName.smtpPassword(tenant))
            return MMSMessages.MailSettings(configured: false)
        }
        guard let requested = request.settings else {
            throw RPCError(.invalidArgument, "settings is missing: set settings.smtp_host, smtp_port and sender_address")
        }
        let tls: MMSCore.MailSettings.TLSMode
        switch requested.tls {
        case .unspecified, .starttls: tls = .starttls
        case .tls: tls = .tls
        case .none: tls = .none
        }
        let settings = MMSCore.MailSettings(
            host: requested.smtpHost, port: Int(requested.smtpPort), tls: tls,
            username: requested.username.isEmpty ? nil : requested.username, senderAddress: requested.senderAddress,
            rateLimit: requested.rateLimit, allowInsecure: requested.allowInsecure)
        // Refused here, so a refused configuration never opens a connection.
        if let problem = settings.problem() { throw RPCError(.invalidArgument, problem) }
        if request.password.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw RPCError(.invalidArgument, "the password must be on one line")
        }
        if !request.password.isEmpty && settings.username == nil {
            throw RPCError(.invalidArgument, "a password without a user name: set settings.username too")
        }
        if !request.keepPassword { try self.secrets.setSecret(request.password.isEmpty ? nil : request.password, for: SecretName.smtpPassword(tenant)) }
        try await Convert.engineCall { try await self.store.saveMailSettings(tenant, settings) }
        return Self.message(settings, passwordSet: try self.secrets.secret(SecretName.smtpPassword(tenant)) != nil)
    }

    func test(_ tenant: TenantID, to recipient: String) async throws -> TestMailSettingsResponse {
        guard MailAddress.isPlausible(recipient) else { throw RPCError(.invalidArgument, "to '\(recipient)' is not an e-mail address") }
        guard let settings = try await Convert.engineCall({ try await self.store.mailSettings(tenant) }) else {
            throw RPCError(.failedPrecondition, "the tenant has no mail settings: run mms tenant mail set first")
        }
        do {
            return TestMailSettingsResponse(reply: try await self.smtp.sendTest(tenant: tenant, settings: settings, to: recipient))
        } catch let error as SMTPError {
            // FAILED_PRECONDITION, not UNAVAILABLE: the server answered; the relay (its settings) is what to fix.
            throw RPCError(.failedPrecondition, "the test message was not accepted: \(error.message)")
        } catch {
            throw RPCError(.failedPrecondition, "the test message was not sent: \(error)")
        }
    }

    static func message(_ settings: MMSCore.MailSettings, passwordSet: Bool) -> MMSMessages.MailSettings {
        let tls: MailTls
        switch settings.tls {
        case .starttls: tls = .starttls
        case .tls: tls = .tls
        case .none: tls = .none
        }
        return MMSMessages.MailSettings(
            smtpHost: settings.host, smtpPort: UInt32(settings.port), tls: tls, username: settings.username ?? "",
            senderAddress: settings.senderAddress, rateLimit: settings.rateLimit, allowInsecure: settings.allowInsecure,
            passwordSet: passwordSet, configured: true)
    }
}
