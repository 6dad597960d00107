import Foundation
import MMSClient
import Testing

/// Issue 17, R6: a tenant's mailbox settings; the CalDAV password is stored readable by the
/// server's user only and never returned.
@Suite("Mailbox settings")
struct MailboxSettingsTests {
    @Test("Issue 17, R6: the password is kept in a 0600 file, never returned; get says it is set; built-in removes it")
    func passwordKeptSecret() async throws {
        let server = try await ServerFixture.start()
        defer { server.removeData() }
        let tenant = try await server.tenant("contoso")
        let admin = try server.client(tenant.admin)
        let reader = try server.client(tenant.reader)
        #expect(try await reader.call(TenantConfigurationServiceMethods.getMailboxSettings, GetMailboxSettingsRequest()).type == .builtIn)

        let secret = "correct horse battery staple"
        let saved = try await admin.call(TenantConfigurationServiceMethods.setMailboxSettings, SetMailboxSettingsRequest(
            settings: MailboxSettings(type: .caldav, url: "http://127.0.0.1:5232/", username: "mms-service", pathTemplate: "/{user}/"),
            password: secret))
        #expect(saved.type == .caldav && saved.passwordSet && saved.url == "http://127.0.0.1:5232/" && saved.pathTemplate == "/{user}/")
        let read = try await reader.call(TenantConfigurationServiceMethods.getMailboxSettings, GetMailboxSettingsRequest())
        #expect(read == saved)
        #expect(!"\(read)".contains(secret))

        let file = server.dataDirectory + "/secrets/mailbox-contoso"
        #expect(try String(contentsOfFile: file, encoding: .utf8) == secret)
        let mode = (try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        let directoryMode = (try FileManager.default.attributesOfItem(atPath: server.dataDirectory + "/secrets")[.posixPermissions] as? NSNumber)?.intValue
        #expect(directoryMode == 0o700)
        // Nothing in the databases holds it.
        for name in ["mms.sqlite", "mms.sqlite-wal", "access.sqlite"] {
            let data = FileManager.default.contents(atPath: server.dataDirectory + "/" + name) ?? Data()
            #expect(data.range(of: Data(secret.utf8)) == nil, "\(name) holds the password")
        }

        // A change without a password keeps the stored one.
        let changed = try await admin.call(TenantConfigurationServiceMethods.setMailboxSettings, SetMailboxSettingsRequest(
            settings: MailboxSettings(type: .caldav, url: "http://127.0.0.1:5233/", username: "mms-service")))
        #expect(changed.passwordSet && changed.url == "http://127.0.0.1:5233/")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == secret)

        // Back to the built-in calendar: the secret goes too.
        let builtIn = try await admin.call(TenantConfigurationServiceMethods.setMailboxSettings, SetMailboxSettingsRequest(
            settings: MailboxSettings(type: .builtIn)))
        #expect(builtIn.type == .builtIn && !builtIn.passwordSet)
        #expect(!FileManager.default.fileExists(atPath: file))
        await admin.close()
        await reader.close()
        try await server.stop()
    }

    @Test("Issue 17: bad mailbox settings are INVALID_ARGUMENT naming the field, and nothing is stored; a reader cannot set them")
    func validation() async throws {
        let server = try await ServerFixture.start()
        defer { server.removeData() }
        let tenant = try await server.tenant("contoso")
        let admin = try server.client(tenant.admin)
        func set(_ settings: MailboxSettings, password: String = "pw") async throws -> MailboxSettings {
            try await admin.call(TenantConfigurationServiceMethods.setMailboxSettings, SetMailboxSettingsRequest(settings: settings, password: password))
        }
        let cases: [(MailboxSettings, String, String)] = [
            (MailboxSettings(type: .caldav, url: "http://cal.contoso.example/", username: "u"), "pw", "url"),
            (MailboxSettings(type: .caldav, url: "ftp://cal.contoso.example/", username: "u"), "pw", "url"),
            (MailboxSettings(type: .caldav, url: "https://user:pass@cal.contoso.example/", username: "u"), "pw", "url"),
            (MailboxSettings(type: .caldav, url: "not a url", username: "u"), "pw", "url"),
            (MailboxSettings(type: .caldav, url: "https://cal.contoso.example/", username: ""), "pw", "username"),
            (MailboxSettings(type: .caldav, url: "https://cal.contoso.example/", username: "u", pathTemplate: "{user}"), "pw", "path_template"),
            (MailboxSettings(type: .caldav, url: "https://cal.contoso.example/", username: "u", caFile: "/nonexistent/ca.pem"), "pw", "ca_file"),
            (MailboxSettings(type: .caldav, url: "https://cal.contoso.example/", username: "u"), "", "password"),
            (MailboxSettings(type: .unspecified), "pw", "settings.type"),
        ]
        for (settings, password, field) in cases {
            let error = await expectStatus(.invalidArgument) { _ = try await set(settings, password: password) }
            #expect(error?.message.contains(field) == true, "\(settings): \(String(describing: error))")
        }
        #expect(try await admin.call(TenantConfigurationServiceMethods.getMailboxSettings, GetMailboxSettingsRequest()).type == .builtIn)
        #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + "/secrets/mailbox-contoso"))
        // Plain http to a non-loopback host is accepted only when allowed explicitly.
        let insecure = try await set(MailboxSettings(type: .caldav, url: "http://cal.contoso.example/", username: "u", allowInsecureHttp: true))
        #expect(insecure.allowInsecureHttp)
        let reader = try server.client(tenant.reader)
        await expectStatus(.permissionDenied) {
            _ = try await reader.call(TenantConfigurationServiceMethods.setMailboxSettings, SetMailboxSettingsRequest(settings: MailboxSettings(type: .builtIn)))
        }
        await reader.close()
        await admin.close()
        try await server.stop()
    }
}
