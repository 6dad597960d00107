import Foundation
import MMSCore
import Testing

/// One rule per field, for creation and change alike (issue 9, "Validation").
@Suite("Field rules")
struct FieldRulesTests {
    func refusal(_ body: () throws -> Any) -> MigrationEngineError? {
        do {
            _ = try body()
            return nil
        } catch let error as MigrationEngineError {
            return error
        } catch {
            return nil
        }
    }

    @Test("Issue 9: principal names with a control character are refused, and the message is one line with the value escaped")
    func principalNames() throws {
        #expect(try FieldRules.principalName("  ashaw@contoso.com ") == "ashaw@contoso.com")
        for bad in ["ash\u{07}aw@contoso.com", "ashaw@contoso.com\nx", "a\u{0}b@contoso.com", "ash\u{85}@contoso.com", "a\u{2028}b@contoso.com"] {
            let error = try #require(refusal { try FieldRules.principalName(bad, field: "user.user_principal_name") }, "\(bad.debugDescription) accepted")
            #expect(error.code == .invalidArgument && error.field == "user.user_principal_name")
            #expect(!error.message.contains("\n") && !error.message.contains("\u{07}") && !error.message.contains("\u{0}"), "\(error.message)")
            #expect(error.message.contains("user.user_principal_name"))
        }
        for bad in ["", "   ", "no-at-sign", "a@b", "@contoso.com", "a@@contoso.com", "a b@contoso.com", "a@.com", String(repeating: "a", count: 300) + "@x.com"] {
            #expect(refusal { try FieldRules.principalName(bad) } != nil, "\(bad.debugDescription) accepted")
        }
    }

    @Test("Issue 9: conference ids are digits only, at creation as at change")
    func conferenceIds() throws {
        #expect(try FieldRules.conferenceId(" 291633251 ") == "291633251")
        for bad in ["x1", "12ab34", "", "１２３", "12 34", String(repeating: "1", count: 16)] {
            #expect(refusal { try FieldRules.conferenceId(bad) }?.field == "conference_id", "\(bad.debugDescription) accepted")
        }
        var user = User(tenant: TenantID("t"), userPrincipalName: "a@contoso.com")
        user.audioConferencing.conferenceId = "x1"
        #expect(refusal { try FieldRules.user(user) }?.field == "user.conference_id")
    }

    @Test("Issue 9, T3: TeamsOnly for a user homed on-premises is refused at creation, as a grant refuses it")
    func teamsOnlyAtCreation() throws {
        var user = User(tenant: TenantID("t"), userPrincipalName: "a@contoso.com", homing: .onPremises)
        user.teamsUpgradeMode = .teamsOnly
        let error = try #require(refusal { try FieldRules.user(user) })
        #expect(error.field == "user.teams_upgrade_mode" && error.message.contains("TeamsOnly"))
        user.homing = .online
        #expect(try FieldRules.user(user).teamsUpgradeMode == .teamsOnly)
    }

    @Test("Issue 9: a meeting URL host is a host name, nothing else")
    func meetingURLHosts() throws {
        #expect(try FieldRules.meetingURLHost("Meet.Contoso.COM") == "meet.contoso.com")
        for bad in ["not a host/path", "https://meet.contoso.com", "meet.contoso.com:443", "contoso", "-a.contoso.com", "a..b", "", "meet.contoso.com/x", "mé.contoso.com"] {
            #expect(refusal { try FieldRules.meetingURLHost(bad) }?.field == "host", "\(bad.debugDescription) accepted")
        }
    }

    @Test("Issue 9, issue 16: text with U+0000 is refused naming the field; tab is fine, line breaks only where multi-line")
    func text() throws {
        #expect(refusal { try FieldRules.text("a\u{0}b", field: "display_name") }?.message.contains("U+0000") == true)
        #expect(refusal { try FieldRules.text("a\nb", field: "meeting.subject") } != nil)
        try FieldRules.text("a\tb", field: "meeting.subject")
        try FieldRules.text("line 1\r\nline 2", field: "meeting.body", multiline: true)
        #expect(refusal { try FieldRules.text("x\u{0}", field: "meeting.body", multiline: true) }?.field == "meeting.body")
    }

    @Test("Issue 9: quoted values are one line, escaped and cut at 80 characters")
    func quoting() {
        #expect(FieldRules.quoted("a\nb\u{07}\"") == "\"a\\u{A}b\\u{7}\\\"\"")
        #expect(FieldRules.quoted(String(repeating: "x", count: 200)) == "\"" + String(repeating: "x", count: 80) + "…\"")
    }

    @Test("Issues 10, 17: loopback is localhost, *.localhost, 127.0.0.0/8 as four numbers and ::1; nothing that only looks like it")
    func loopback() throws {
        for host in ["localhost", "LOCALHOST", "mail.localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"] {
            #expect(FieldRules.isLoopback(host), "\(host)")
        }
        for host in ["127.evil.example", "127.0.0.1.example.com", "localhost.example.com", "128.0.0.1", "127.0.0", "10.0.0.1", "::2"] {
            #expect(!FieldRules.isLoopback(host), "\(host)")
        }
        #expect(throws: MigrationEngineError.self) { try FieldRules.serverURL("http://127.evil.example/", allowInsecure: false) }
    }

    @Test("Issue 9, M5: addresses differing only in case are one mailbox; the organiser is left out")
    func distinctAddresses() {
        let addresses = ["Bob@Fabrikam.com", "carol@fabrikam.com", "bob@fabrikam.com", " BOB@FABRIKAM.COM ", "ann@contoso.com", "Carol@Fabrikam.COM"]
        #expect(MailAddress.distinct(addresses) == ["Bob@Fabrikam.com", "carol@fabrikam.com", "ann@contoso.com"])
        #expect(MailAddress.distinct(addresses, excluding: "ANN@contoso.com") == ["Bob@Fabrikam.com", "carol@fabrikam.com"])
    }
}
