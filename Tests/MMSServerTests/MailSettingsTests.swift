import Foundation
import MMSClient
import MMSMessages
import MMSRPC
import Testing

/// The tenant's mail settings over RPC (issue 10, MISSION R6).
@Suite("Mail settings")
struct MailSettingsTests {
    static func relay(_ host: String, tls: MailTls, allowInsecure: Bool = false) -> MailSettings {
        MailSettings(smtpHost: host, smtpPort: 587, tls: tls, username: "relay-user", senderAddress: "mms@contoso.example",
                     rateLimit: 5, allowInsecure: allowInsecure)
    }

    @Test("R6: the password is kept in a 0600 file and never returned; get says password_set")
    func passwordNeverReturned() async throws {
        let server = try await ServerFixture.start()
        defer { server.removeData() }
        let tenant = try await server.tenant("contoso")
        let admin = try server.client(tenant.admin)
        let reader = try server.client(tenant.reader)
        let set = try await admin.call(TenantConfigurationServiceMethods.setMailSettings, SetMailSettingsRequest(
            settings: Self.relay("smtp.contoso.example", tls: .starttls), password: "hunter2-Sup3r-secret"))
        #expect(set.configured && set.passwordSet && set.smtpHost == "smtp.contoso.example" && set.tls == .starttls && set.rateLimit == 5)
        let got = try await reader.call(TenantConfigurationServiceMethods.getMailSettings, GetMailSettingsRequest())
        #expect(got == set)
        #expect(!"\(got)".contains("hunter2"))
        let secrets = server.dataDirectory + "/secrets"
        let files = try FileManager.default.contentsOfDirectory(atPath: secrets)
        #expect(files.count == 1)
        let file = secrets + "/" + files[0]
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "hunter2-Sup3r-secret")
        let fileMode = (try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) ?? -1
        let folderMode = (try FileManager.default.attributesOfItem(atPath: secrets)[.posixPermissions] as? Int) ?? -1
        #expect(fileMode == 0o600 && folderMode == 0o700)
        // The database holds no password either.
        for name in try FileManager.default.contentsOfDirectory(atPath: server.dataDirectory) where !name.hasPrefix("secrets") {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: server.dataDirectory + "/" + name))) ?? Data()
            #expect(bytes.range(of: Data("hunter2".utf8)) == nil, "\(name) holds the password")
        }
        // keep_password keeps it; remove drops settings and password.
        let kept = try await admin.call(TenantConfigurationServiceMethods.setMailSettings, SetMailSettingsRequest(
            settings: Self.relay("smtp2.contoso.example", tls: .tls), keepPassword: true))
        #expect(kept.passwordSet && kept.smtpHost == "smtp2.contoso.example")
        let removed = try await admin.call(TenantConfigurationServiceMethods.setMailSettings, SetMailSettingsRequest(remove: true))
        #expect(!removed.configured && !removed.passwordSet)
        #expect(try FileManager.default.contentsOfDirectory(atPath: secrets).isEmpty)
        await admin.close()
        await reader.close()
        try await server.stop()
    }

    @Test("tls none: accepted to loopback, refused to another host unless allow_insecure is set, before any connection")
    func insecureRefused() async throws {
        let server = try await ServerFixture.start()
        defer { server.removeData() }
        let tenant = try await server.tenant("contoso")
        let admin = try server.client(tenant.admin)
        for host in ["127.0.0.1", "localhost", "::1"] {
            let accepted = try await admin.call(TenantConfigurationServiceMethods.setMailSettings,
                                                SetMailSettingsRequest(settings: Self.relay(host, tls: .none)))
            #expect(accepted.configured && accepted.tls == .none)
        }
        let error = await expectStatus(.invalidArgument) {
            // 192.0.2.1 (TEST-NET-1) would not answer; the refusal comes before any connection.
            _ = try await admin.call(TenantConfigurationServiceMethods.setMailSettings,
                                     SetMailSettingsRequest(settings: Self.relay("192.0.2.1", tls: .none)))
        }
        #expect(error?.message.contains("--allow-insecure") == true)
        let unchanged = try await admin.call(TenantConfigurationServiceMethods.getMailSettings, GetMailSettingsRequest())
        #expect(unchanged.smtpHost == "::1")
        let allowed = try await admin.call(TenantConfigurationServiceMethods.setMailSettings,
                                           SetMailSettingsRequest(settings: Self.relay("192.0.2.1", tls: .none, allowInsecure: true)))
        #expect(allowed.smtpHost == "192.0.2.1" && allowed.allowInsecure)
        await admin.close()
        try await server.stop()
    }

    @Test("A reader may read the mail settings but not set or test them")
    func readerCannotSet() async throws {
        let server = try await ServerFixture.start()
        defer { server.removeData() }
        let tenant = try await server.tenant("contoso")
        let reader = try server.client(tenant.reader)
        _ = await expectStatus(.permissionDenied) {
            _ = try await reader.call(TenantConfigurationServiceMethods.setMailSettings,
                                      SetMailSettingsRequest(settings: Self.relay("smtp.contoso.example", tls: .starttls)))
        }
        _ = await expectStatus(.permissionDenied) {
            _ = try await reader.call(TenantConfigurationServiceMethods.testMailSettings, TestMailSettingsRequest(to: "a@contoso.example"))
        }
        #expect(!(try await reader.call(TenantConfigurationServiceMethods.getMailSettings, GetMailSettingsRequest()).configured))
        await reader.close()
        try await server.stop()
    }
}
