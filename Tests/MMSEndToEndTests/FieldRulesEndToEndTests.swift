import Foundation
import Testing

extension EndToEnd {
    /// Issue 9, "the same rule everywhere, at creation as at change": each example the acceptance
    /// run found is INVALID_ARGUMENT with one line naming the field (exit 1), and nothing is stored.
    @Suite("Field rules through mms")
    struct FieldRulesThroughCLI {
        func expectInvalid(_ result: MMSResult, naming field: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(result.exitCode == 1, "\(result)", sourceLocation: sourceLocation)
            #expect(result.standardError.hasPrefix("mms: INVALID_ARGUMENT: "), "\(result)", sourceLocation: sourceLocation)
            #expect(result.standardError.contains(field), "\(result)", sourceLocation: sourceLocation)
            #expect(result.standardError.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1, "one line: \(result)", sourceLocation: sourceLocation)
        }

        @Test("Issue 9, T3: user create on-premises with TeamsOnly is refused, as the grant is")
        func teamsOnlyOnPremises() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            expectInvalid(try await tenant.mms([
                "user", "create", "--identity", "op@contoso.example", "--homing", "on-premises", "--teams-upgrade-mode", "TeamsOnly",
            ]), naming: "teams_upgrade_mode")
            #expect(try await tenant.json(["user", "list"])["users"].array.isEmpty)
        }

        @Test("Issue 9: a conference id that is not digits is refused at creation as at change")
        func conferenceIdAtCreation() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            expectInvalid(try await tenant.mms(["user", "create", "--identity", "c@contoso.example", "--conference-id", "x1"]), naming: "conference_id")
            #expect(try await tenant.json(["user", "list"])["users"].array.isEmpty)
            let user = try await tenant.createUser("conf")
            expectInvalid(try await tenant.mms(["user", "audio-conferencing", "conference-id", "--identity", user, "--set", "12ab34"]), naming: "conference_id")
        }

        @Test("Issue 9: a principal name with a control character is refused; the message is one line and does not echo it raw")
        func controlCharacters() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            for name in ["be\u{07}ll@contoso.example", "new\nline@contoso.example"] {
                let result = try await tenant.mms(["user", "create", "--identity", name])
                expectInvalid(result, naming: "user_principal_name")
                #expect(!result.standardError.contains("\u{07}"), "\(result)")
            }
            #expect(try await tenant.json(["user", "list"])["users"].array.isEmpty)
        }

        @Test("Issue 9, N2: a meeting URL host that is not a host name is refused")
        func meetingURLHost() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            expectInvalid(try await tenant.mms(["tenant", "meeting-url", "set", "--host", "not a host/path"]), naming: "host")
            #expect(try await tenant.mms(["tenant", "meeting-url", "set", "--host", "meet.contoso.example"]).exitCode == 0)
        }

        @Test("Issue 9: a meeting that starts in the past is refused and nothing is stored")
        func pastMeeting() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("late")
            let start = Date().addingTimeInterval(-3600)
            expectInvalid(try await tenant.mms([
                "meeting", "add", "--organizer", user, "--start", TenantContext.iso(start), "--end", TenantContext.iso(start.addingTimeInterval(1800)),
                "--body", "x", "--format", "text", "--kind", "teams",
            ]), naming: "past")
            #expect(try await tenant.json(["meeting", "list", "--identity", user])["meetings"].array.isEmpty)
        }

        @Test("Issue 9: a body holding U+0000 is INVALID_ARGUMENT (not INTERNAL), and nothing is stored")
        func nulInBody() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("nul")
            let start = Date().addingTimeInterval(86_400)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("nul-\(UUID().uuidString).txt")
            try Data("before\u{0}after".utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try await tenant.mms([
                "meeting", "add", "--organizer", user, "--start", TenantContext.iso(start), "--end", TenantContext.iso(start.addingTimeInterval(1800)),
                "--body-file", file.path, "--format", "text", "--kind", "teams",
            ])
            #expect(result.exitCode != 0 && result.standardError.contains("U+0000") && !result.standardError.contains("INTERNAL"), "\(result)")
            #expect(try await tenant.json(["meeting", "list", "--identity", user])["meetings"].array.isEmpty)
        }

        @Test("Issue 17, R2: meeting add --rrule adds a series begun in the past that is still to come; a series wholly past or a bad rule is refused")
        func recurringMeeting() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("weekly")
            let start = Date().addingTimeInterval(-14 * 86_400)
            let range = ["--start", TenantContext.iso(start), "--end", TenantContext.iso(start.addingTimeInterval(1800))]
            let added = try await tenant.json(["meeting", "add", "--organizer", user, "--body", "x", "--format", "text", "--kind", "teams",
                                               "--rrule", "FREQ=WEEKLY;COUNT=5"] + range)
            #expect(added["rrule"].string == "FREQ=WEEKLY;COUNT=5", "\(added)")
            #expect(try await tenant.json(["meeting", "list", "--identity", user])["meetings"].array.count == 1)
            expectInvalid(try await tenant.mms(["meeting", "add", "--organizer", user, "--body", "x", "--format", "text", "--kind", "teams",
                                                "--rrule", "FREQ=WEEKLY;COUNT=2"] + range), naming: "past")
            expectInvalid(try await tenant.mms(["meeting", "add", "--organizer", user, "--body", "x", "--format", "text", "--kind", "teams",
                                                "--rrule", "FREQ=FORTNIGHTLY"] + range), naming: "meeting.rrule")
            #expect(try await tenant.json(["meeting", "list", "--identity", user])["meetings"].array.count == 1)
        }

        @Test("Issue 9, M5: an attendee listed twice, once in capitals, is stored once")
        func duplicateAttendee() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("dup")
            let start = Date().addingTimeInterval(86_400)
            let added = try await tenant.json([
                "meeting", "add", "--organizer", user, "--start", TenantContext.iso(start), "--end", TenantContext.iso(start.addingTimeInterval(1800)),
                "--body", "x", "--format", "text", "--kind", "teams",
                "--attendee", "bob@fabrikam.example", "--attendee", "BOB@Fabrikam.Example", "--attendee", "bob@fabrikam.example",
            ])
            #expect(added["attendees"].array.compactMap(\.string) == ["bob@fabrikam.example"], "\(added)")
        }
    }

    /// Issue 9, "What an admin cannot see", through mms.
    @Suite("What an admin sees")
    struct AdminSees {
        @Test("Issue 9, S2: tenant migration-config get shows the status retention (150d by default), in the table and in JSON")
        func retentionVisible() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let table = try await tenant.mms(["tenant", "migration-config", "get"], token: tenant.readerToken)
            #expect(table.exitCode == 0 && table.output.contains("StatusRetention") && table.output.contains("150d"), "\(table)")
            #expect(try await tenant.json(["tenant", "migration-config", "get"])["status_retention_seconds"].int == 150 * 86_400)
        }

        @Test("Issue 9: status records carry NextAttempt and ResumesAfter, in the table and in JSON; an empty --identity is a usage error")
        func statusFields() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("fields")
            let started = try await tenant.json(["migration", "start", "--identity", user])
            #expect(started["status"]["next_attempt"].string != nil, "a pending record says when it runs: \(started)")
            let correlationId = try #require(started["correlation_id"].string)
            let finished = try await tenant.waitForMigration(correlationId, identity: user, state: "succeeded")
            #expect(finished["next_attempt"].isNull && finished["resumes_after"].isNull, "\(finished)")
            let table = try await tenant.mms(["migration", "status", "--identity", user])
            #expect(table.output.contains("NextAttempt") && table.output.contains("ResumesAfter"), "\(table)")
            for empty in ["", "  "] {
                let result = try await tenant.mms(["migration", "status", "--identity", empty])
                #expect(result.exitCode == 64 && result.standardError.contains("--identity is empty"), "\(result)")
                #expect(result.standardOutput.isEmpty)
            }
        }
    }

    /// Issue 9, M7: the retry schedule's 24 hours are checked at start, with the other server flags.
    @Suite("Server flags")
    struct ServerFlags {
        @Test("Issue 9, M7: --retry-schedule over 24 h is refused with one line naming the flag; --lease and --status-retention are checked")
        func retrySchedule() async throws {
            let binaries = try Binaries.directory()
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mms-flags-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            for (flags, expected) in [
                (["--retry-schedule", "13h,13h"], "--retry-schedule"),
                (["--retry-schedule", "5m,,5m"], "--retry-schedule"),
                (["--lease", "0"], "--lease"),
                (["--status-retention", "forever"], "--status-retention"),
                (["--hold", "99999999999999d"], "--hold"),
            ] {
                let child = try ChildProcess(
                    executable: binaries.appendingPathComponent("mms-server"),
                    arguments: ["--listen", "127.0.0.1:\(try Ports.free())", "--data-dir", scratch.appendingPathComponent("data").path] + flags,
                    environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MMS_") }, outputDirectory: scratch)
                let status = await child.waitForExit(timeout: .seconds(20))
                #expect(status == 64, "\(flags): exit \(String(describing: status)) \(child.errorText())")
                #expect(child.errorText().contains(expected), "\(flags): \(child.errorText())")
                #expect(!FileManager.default.fileExists(atPath: scratch.appendingPathComponent("data").path), "nothing created for \(flags)")
            }
        }
    }
}
