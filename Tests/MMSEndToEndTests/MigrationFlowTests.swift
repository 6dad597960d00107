import Foundation
import Testing

extension EndToEnd {
    /// A whole migration through the CLI: a meeting added, a trigger, the migration to Succeeded,
    /// the rewritten invitation read back, the updated invitation sent once (M2, M3, M8, S1).
    @Suite("A migration from start to finish")
    struct MigrationFlow {
        /// An HTML body with text that must survive byte for byte: Unicode in several scripts and
        /// normal forms, CRLF and LF line ends, a tab, a no-break space.
        static let body = "<p>Agenda: café (NFC) / cafe\u{0301} (NFD) · 会議の議題 · مرحبا · 👩🏽‍💻🇫🇷 · Å (\u{212B})</p>\r\n"
            + "<p>Bring\tthe plan;\u{00A0}see the attachment.</p>\n<!-- keep me -->"

        @Test("M2, M3, M8: T1 migrates a Skype meeting to Teams, only the block changes, the invitation is sent once")
        func fullMigration() async throws {
            let server = try SharedServer.get()
            let tenant = try await TenantContext.make(on: server)
            let conferenceId = "291633251"
            let user = try await tenant.createUser("full", homing: "on-premises", audio: false, extra: [
                "--audio-conferencing-licensed", "--audio-conferencing-enabled", "--bridge-id", "bridge-us", "--conference-id", conferenceId,
            ])
            let bodyFile = server.scratch.appendingPathComponent("agenda-\(UUID().uuidString).html")
            try Data(Self.body.utf8).write(to: bodyFile)
            let attachmentFile = server.scratch.appendingPathComponent("plan.pdf")
            let attachmentBytes = Data([0x25, 0x50, 0x44, 0x46, 0x00, 0xFF, 0xFE, 0x0D, 0x0A, 0x80])
            try attachmentBytes.write(to: attachmentFile)

            let start = Date().addingTimeInterval(2 * 86_400)
            let attendees = ["bob@fabrikam.example.com", "carol@fabrikam.example.com"]
            let added = try await tenant.json([
                "meeting", "add", "--organizer", user, "--subject", "Quarterly review", "--start", TenantContext.iso(start),
                "--end", TenantContext.iso(start.addingTimeInterval(3600)), "--body-file", bodyFile.path, "--format", "html",
                "--kind", "skype-on-premises", "--attendee", attendees[0], "--attendee", attendees[1], "--attachment", attachmentFile.path,
            ])
            let meetingId = try #require(added["meeting_id"].string)
            #expect(added["kind"].string == "skype_on_premises")
            #expect(added["created_through_service"].bool == true)

            let before = try await tenant.mms(["meeting", "get", "--meeting-id", meetingId, "--body-only"])
            #expect(before.exitCode == 0, "\(before)")
            let prefix = Data((Self.body + "\n").utf8)
            #expect(before.standardOutput.starts(with: prefix), "the body the organiser wrote comes first, untouched:\n\(before.output)")
            #expect(before.output.contains("Join Skype Meeting"))

            let move = try await tenant.json(["user", "move", "--identity", user, "--to", "cloud"])
            #expect(move["queued"].bool == true, "\(move)")
            let correlationId = try #require(move["status"]["correlation_id"].string)
            let finished = try await tenant.waitForMigration(correlationId, identity: user, state: "succeeded")
            #expect(finished["total_meeting"].int == 1, "\(finished)")
            #expect(finished["succeeded_meeting"].int == 1, "\(finished)")
            #expect(finished["failed_meeting"].int == 0, "\(finished)")
            #expect(finished["invites_update"].int == 1, "\(finished)")
            #expect(finished["migration_type"].string == "sfb_to_teams", "\(finished)")

            // M3, M8: the body is byte for byte the same outside the block; the block is a Teams block
            // with the bridge's dial-in numbers and the user's conference id.
            let after = try await tenant.mms(["meeting", "get", "--meeting-id", meetingId, "--body-only"])
            #expect(after.exitCode == 0, "\(after)")
            #expect(after.standardOutput.starts(with: prefix), "the text before the block changed:\n\(after.output)")
            #expect(after.standardOutput != before.standardOutput)
            #expect(after.output.contains("Join Microsoft Teams Meeting"), "\(after.output)")
            #expect(after.output.contains("https://teams.microsoft.com/l/meetup-join/"), "\(after.output)")
            #expect(after.output.contains("+13238867531,,\(conferenceId)#"), "\(after.output)")
            #expect(!after.output.contains("Join Skype Meeting"), "\(after.output)")
            let meeting = try await tenant.json(["meeting", "get", "--meeting-id", meetingId])
            #expect(meeting["kind"].string == "teams", "\(meeting)")
            #expect((meeting["version"].int ?? 0) > (added["version"].int ?? 0), "\(meeting)")
            #expect(meeting["body"].string.map { Array($0.utf8) } == Array(after.standardOutput), "JSON and --body-only agree byte for byte")
            #expect(meeting["attachments"][0]["name"].string == "plan.pdf")
            #expect(meeting["attachments"][0]["content"].string == attachmentBytes.base64EncodedString(), "\(meeting)")
            #expect(meeting["attendees"].array.compactMap(\.string) == attendees)

            // The table view shows the rewritten body too.
            let table = try await tenant.mms(["meeting", "get", "--meeting-id", meetingId])
            #expect(table.output.contains("Join Microsoft Teams Meeting"), "\(table)")

            // M2 (4): the updated invitation goes to every attendee, exactly once.
            let deadline = ContinuousClock.now + .seconds(20)
            var invitations: [JSON] = []
            repeat {
                invitations = try await tenant.json(["meeting", "invitations", "--meeting-id", meetingId])["invitations"].array
                if invitations.allSatisfy({ $0["sent"].string != nil }), !invitations.isEmpty { break }
                try await Task.sleep(for: .milliseconds(100))
            } while ContinuousClock.now < deadline
            #expect(invitations.count == 1, "\(invitations)")
            #expect(invitations.first?["correlation_id"].string == correlationId)
            let recipients = Set((invitations.first?["recipients"] ?? .null).array.compactMap(\.string))
            #expect(recipients.isSuperset(of: attendees), "\(invitations)")
            #expect(invitations.first?["sent"].string != nil, "\(invitations)")

            let outcomes = try await tenant.json(["migration", "outcomes", "--identity", user])["outcomes"].array
            #expect(outcomes.count == 1, "\(outcomes)")
            #expect(outcomes.first?["meeting_id"].string == meetingId)
            #expect(outcomes.first?["outcome"].string == "migrated", "\(outcomes)")
            let byCorrelation = try await tenant.json(["migration", "outcomes", "--correlation-id", correlationId])
            #expect(byCorrelation["outcomes"].array.count == 1)
        }

        @Test("M4: a meeting whose block was pasted from another meeting is left alone, with the reason recorded")
        func pastedBlock() async throws {
            let server = try SharedServer.get()
            let tenant = try await TenantContext.make(on: server)
            let user = try await tenant.createUser("paster", homing: "on-premises")
            let original = try await tenant.addMeeting(organizer: user, kind: "skype-on-premises", body: "<p>original</p>")
            let originalBody = try await tenant.mms(["meeting", "get", "--meeting-id", try #require(original["meeting_id"].string), "--body-only"])
            #expect(originalBody.exitCode == 0, "\(originalBody)")
            let pastedBody = originalBody.output.replacingOccurrences(of: "<p>original</p>", with: "<p>copied by hand</p>")
            let pasted = try await tenant.addMeeting(organizer: user, kind: "skype-on-premises", body: pastedBody, pasted: true)
            let pastedId = try #require(pasted["meeting_id"].string)
            #expect(pasted["created_through_service"].bool == false)
            #expect(pasted["body"].string == pastedBody, "a pasted body is stored as given")

            let move = try await tenant.json(["user", "move", "--identity", user, "--to", "cloud"])
            let correlationId = try #require(move["status"]["correlation_id"].string)
            let finished = try await tenant.waitForMigration(correlationId, identity: user, state: "succeeded")
            #expect(finished["total_meeting"].int == 2, "\(finished)")
            #expect(finished["succeeded_meeting"].int == 1, "\(finished)")
            #expect(finished["last_message"].string?.contains("M4") == true, "\(finished)")

            let outcomes = try await tenant.json(["migration", "outcomes", "--correlation-id", correlationId])["outcomes"].array
            let skipped = try #require(outcomes.first { $0["meeting_id"].string == pastedId }, "\(outcomes)")
            #expect(skipped["outcome"].string == "skipped", "\(skipped)")
            #expect(skipped["reason"].string?.contains("M4") == true, "\(skipped)")
            let untouched = try await tenant.mms(["meeting", "get", "--meeting-id", pastedId, "--body-only"])
            #expect(Array(untouched.standardOutput) == Array(pastedBody.utf8))
            #expect(try await tenant.json(["meeting", "invitations", "--meeting-id", pastedId])["invitations"].array.isEmpty)
        }

        @Test("M7, S5: a migration that cannot succeed is retried, ends Failed with what to fix, and succeeds when re-run after the fix")
        func failedThenFixed() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("failing")
            let meeting = try await tenant.addMeeting(organizer: user, kind: "skype-online")
            let meetingId = try #require(meeting["meeting_id"].string)
            _ = try await tenant.json(["bridge", "save", "--bridge-id", "bridge-empty", "--name", "Empty bridge"])

            // T2 to a bridge without a phone number: the new block cannot carry dial-in details.
            let move = try await tenant.json(["user", "audio-conferencing", "move-bridge", "--identity", user, "--bridge-id", "bridge-empty"])
            let failing = try #require(move["status"]["correlation_id"].string, "\(move)")
            let failed = try await tenant.waitForMigration(failing, identity: user, state: "failed")
            #expect(failed["retry_count"].int == 2, "the server's --retry-schedule has two delays: \(failed)")
            #expect(failed["failed_meeting"].int == 1, "\(failed)")
            #expect(failed["last_message"].string?.contains("no phone number") == true, "\(failed)")
            let outcome = try await tenant.json(["migration", "outcomes", "--correlation-id", failing])["outcomes"][0]
            #expect(outcome["outcome"].string == "failed", "\(outcome)")
            #expect(try await tenant.json(["migration", "status", "--state", "failed"])["records"].array.count == 1)
            let table = try await tenant.mms(["migration", "status", "--identity", user])
            #expect(table.output.contains("State             : Failed"), "\(table)")

            // S5: fix the cause, then start the migration again.
            _ = try await tenant.json(["bridge", "save", "--bridge-id", "bridge-empty", "--name", "Empty bridge", "--number", "+442070000000=United Kingdom, London (Toll)"])
            let again = try await tenant.json(["migration", "start", "--identity", user])
            let retried = try #require(again["correlation_id"].string, "\(again)")
            #expect(retried != failing)
            let succeeded = try await tenant.waitForMigration(retried, identity: user, state: "succeeded")
            #expect(succeeded["succeeded_meeting"].int == 1, "\(succeeded)")
            let body = try await tenant.mms(["meeting", "get", "--meeting-id", meetingId, "--body-only"])
            #expect(body.output.contains("+442070000000"), "\(body)")
            #expect(try await tenant.json(["meeting", "invitations", "--meeting-id", meetingId])["invitations"].array.count == 1)
        }

        @Test("S1: status filters by state and time window, and --summary-only counts users per state")
        func statusFilters() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let first = try await tenant.createUser("first")
            let second = try await tenant.createUser("second")
            let beforeAll = TenantContext.iso(Date().addingTimeInterval(-5))
            let one = try #require(try await tenant.json(["migration", "start", "--identity", first])["correlation_id"].string)
            let two = try #require(try await tenant.json(["migration", "start", "--identity", second])["correlation_id"].string)
            try await tenant.waitForMigration(one, identity: first, state: "succeeded")
            try await tenant.waitForMigration(two, identity: second, state: "succeeded")

            let summary = try await tenant.json(["migration", "status", "--summary-only"])
            let counts = Dictionary(uniqueKeysWithValues: summary["summary"].array.map { ($0["state"].string ?? "?", $0["user_count"].int ?? -1) })
            #expect(counts == ["pending": 0, "in_progress": 0, "failed": 0, "succeeded": 2], "\(summary)")
            #expect(summary["records"].array.isEmpty)

            #expect(try await tenant.json(["migration", "status", "--state", "succeeded"])["records"].array.count == 2)
            #expect(try await tenant.json(["migration", "status", "--state", "failed"])["records"].array.isEmpty)
            #expect(try await tenant.json(["migration", "status", "--start-time", beforeAll])["records"].array.count == 2)
            #expect(try await tenant.json(["migration", "status", "--end-time", beforeAll])["records"].array.isEmpty)
            let mine = try await tenant.json(["migration", "status", "--identity", first])["records"].array
            #expect(mine.map { $0["user_principal_name"].string } == [first])

            // Every field of the record, in the documented JSON form.
            let record = try #require(mine.first)
            #expect(record.keys == [
                "correlation_id", "user_id", "user_principal_name", "state", "migration_type", "retry_count", "last_message",
                "create_date", "modified_date", "total_meeting", "succeeded_meeting", "failed_meeting", "invites_update",
                "next_attempt", "resumes_after", "refused_recipients",
            ])
            #expect(record["create_date"].string?.hasSuffix("Z") == true, "\(record)")

            let table = try await tenant.mms(["migration", "status", "--summary-only"])
            #expect(table.output.hasPrefix("State"), "\(table)")
            #expect(table.output.contains("Succeeded"), "\(table)")
            let list = try await tenant.mms(["migration", "status", "--identity", first])
            #expect(list.output.contains("UserPrincipalName : \(first)"), "\(list)")
        }
    }
}
