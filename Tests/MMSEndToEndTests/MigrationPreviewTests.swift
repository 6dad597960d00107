import Foundation
import Testing

extension EndToEnd {
    /// Issue 15: `mms migration preview` says what a migration will do, and the migration then does
    /// exactly that; the preview itself changes nothing.
    @Suite("Migration preview")
    struct MigrationPreview {
        /// The join URL a migrated outcome's reason names ("now a Teams meeting at <url>").
        static func joinURL(inReason reason: String) -> String? {
            reason.range(of: " meeting at ").map { String(reason[$0.upperBound...]) }
        }

        /// The preview's outcome for one meeting, as `mms migration outcomes` spells it.
        static func recordedOutcome(_ preview: JSON) -> String? {
            preview["outcome"].string == "not_selected" ? nil : preview["outcome"].string
        }

        /// Everything a reader sees of a user's meetings and migrations: to show a preview changed none of it.
        static func visibleState(_ tenant: TenantContext, _ user: String, meetings: [String]) async throws -> String {
            let listed = try await tenant.json(["meeting", "list", "--identity", user, "--include-bodies"])
            let status = try await tenant.json(["migration", "status", "--identity", user])
            var invitations: [String] = []
            for id in meetings {
                invitations.append(try await tenant.json(["meeting", "invitations", "--meeting-id", id])["invitations"].description)
            }
            return "\(listed)\n\(status)\n\(invitations)"
        }

        @Test("Issue 15, M2-M5, S1: built-in calendar: preview (table, --diff, json; admin and reader), then migrate: outcome by outcome, reason and body byte for byte as previewed; the preview wrote nothing")
        func builtInCalendar() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("preview")
            let own = try await tenant.addMeeting(organizer: user, body: "<p>Agenda: café ☕ 会議</p>\r\n")
            let plain = try await tenant.addMeeting(organizer: user, kind: "skype-online", format: "text", body: "Agenda\n\tline two")
            let teams = try await tenant.addMeeting(organizer: user, kind: "teams")
            let pasted = try await tenant.addMeeting(organizer: user, pasted: true)
            let ids = try [own, plain, teams, pasted].map { try #require($0["meeting_id"].string) }
            let before = try await Self.visibleState(tenant, user, meetings: ids)

            let preview = try await tenant.json(["migration", "preview", "--identity", user, "--target-meeting-type", "teams"])
            let meetings = preview["meetings"].array
            #expect(meetings.count == 4, "\(preview)")
            #expect(preview["summary"]["migrated"].int == 3 && preview["summary"]["skipped"].int == 1 && preview["summary"]["total"].int == 4, "\(preview["summary"])")
            let byId = Dictionary(uniqueKeysWithValues: meetings.map { ($0["meeting_id"].string ?? "", $0) })
            #expect(byId[ids[3]]?["outcome"].string == "skipped" && byId[ids[3]]?["skip_reason"].string != nil, "\(String(describing: byId[ids[3]]))")
            #expect(byId[ids[0]]?["organizer"].string == user && byId[ids[0]]?["attendee_count"].int == 2 && byId[ids[0]]?["subject"].string == "Weekly sync")
            #expect(byId[ids[0]]?["undetermined"].string == "join_url", "a Skype meeting becomes a new Teams meeting")
            #expect(byId[ids[2]]?["undetermined"].string == "nothing", "a Teams meeting keeps its own join URL")
            #expect(byId[ids[0]]?["old_block"].string?.contains("meet.") == true && byId[ids[0]]?["new_block"].string?.contains("teams.microsoft.com") == true)
            // A reader may preview; it sees the same.
            let asReader = try await tenant.mms(["migration", "preview", "--identity", user, "--target-meeting-type", "teams", "--output", "json"], token: tenant.readerToken)
            #expect(asReader.exitCode == 0, "\(asReader)")
            #expect(try asReader.json() == preview)
            // For people: one line per meeting and the counts; --diff adds the blocks and the diff.
            let table = try await tenant.mms(["migration", "preview", "--identity", user, "--target-meeting-type", "teams"])
            #expect(table.exitCode == 0 && table.output.contains("4 meeting(s): 3 migrated, 1 skipped (1 ") && table.output.contains("), 0 failed, 0 not selected."), "\(table)")
            #expect(table.output.contains("Skipped (") && table.output.contains("Migrated → Teams") && !table.output.contains("-- old block"), "\(table)")
            let detailed = try await tenant.mms(["migration", "preview", "--identity", user, "--target-meeting-type", "teams", "--diff"])
            #expect(detailed.exitCode == 0 && detailed.output.contains("-- old block") && detailed.output.contains("-- new block"), "\(detailed)")
            #expect(detailed.output.contains("\n@@ -") && detailed.output.contains("\n+"), "\(detailed)")
            // Nothing was written: no migration, no invitation, every meeting as it was.
            #expect(try await Self.visibleState(tenant, user, meetings: ids) == before)

            let started = try await tenant.json(["migration", "start", "--identity", user, "--target-meeting-type", "teams"])
            let correlationId = try #require(started["correlation_id"].string)
            _ = try await tenant.waitForMigration(correlationId, identity: user, state: "succeeded")
            let outcomes = try await tenant.json(["migration", "outcomes", "--correlation-id", correlationId])["outcomes"].array
            #expect(outcomes.count == 4)
            for previewed in meetings {
                let id = try #require(previewed["meeting_id"].string)
                let outcome = try #require(outcomes.first { $0["meeting_id"].string == id }, "no outcome for \(id)")
                var reason = try #require(outcome["reason"].string)
                let meeting = try await tenant.json(["meeting", "get", "--meeting-id", id])
                var body = try #require(meeting["body"].string)
                if previewed["undetermined"].string == "join_url" {
                    let allocated = try #require(Self.joinURL(inReason: reason))
                    let placeholder = try #require(previewed["new_join_url"].string)
                    #expect(allocated.utf8.count == placeholder.utf8.count)
                    reason = reason.replacingOccurrences(of: allocated, with: placeholder)
                    body = body.replacingOccurrences(of: allocated, with: placeholder)
                }
                #expect(outcome["outcome"].string == Self.recordedOutcome(previewed), "\(id)")
                #expect(reason == previewed["reason"].string, "\(id)")
                if previewed["outcome"].string == "migrated" {
                    #expect(Array(body.utf8) == Array((previewed["body"].string ?? "").utf8), "\(id): the body byte for byte")
                    #expect(meeting["version"].int == previewed["sequence"].int, "\(id)")
                }
            }
        }

        @Test("Issue 15: preview with an unknown or empty identity is one line naming it, exit 1 or 64; the preview of another tenant's user is NOT_FOUND")
        func badInput() async throws {
            let server = try SharedServer.get()
            let tenant = try await TenantContext.make(on: server)
            let other = try await TenantContext.make(on: server, name: "other")
            let user = try await tenant.createUser("mine")
            _ = try await tenant.addMeeting(organizer: user)
            let unknown = try await tenant.mms(["migration", "preview", "--identity", "nobody@\(tenant.id).example.com"])
            #expect(unknown.exitCode == 1 && unknown.standardError.hasPrefix("mms: NOT_FOUND:") && unknown.standardError.contains("nobody@"), "\(unknown)")
            let empty = try await tenant.mms(["migration", "preview", "--identity", " "])
            #expect(empty.exitCode == 64 && empty.standardError.contains("--identity"), "\(empty)")
            let across = try await other.mms(["migration", "preview", "--identity", user], token: other.readerToken)
            #expect(across.exitCode == 1 && across.standardError.hasPrefix("mms: NOT_FOUND:") && !across.output.contains("Weekly sync"), "\(across)")
        }

        @Test("Issue 15, R1-R4: on Radicale: the preview's iCalendar is, line by unfolded line, what the migration writes; it shows the unified diff; the preview changes no resource (SEQUENCE, ETag)")
        func onRadicale() async throws {
            typealias Radicale = CalDAVMailboxOnRadicale
            let radicale = try await RadicaleProcess.start()
            defer { Task { await radicale.stop() } }
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("calprev", homing: "on-premises", audio: false)
            let local = String(user.split(separator: "@")[0])
            let calendar = "/\(user)/calendar/"
            try await radicale.makeHome("/\(user)/")
            try await radicale.makeCalendar(calendar)
            let events = [
                ("own", "Agenda: budget, café ☕, 会議\n\n" + Radicale.skypeBlock(local: local, domain: "contoso.example", key: "K7QZ2B4X")),
                ("pasted", "Copied from a colleague\n\n" + Radicale.skypeBlock(local: "someone.else", domain: "contoso.example", key: "P4ST3D00")),
                ("noblock", "Lunch, no online meeting"),
            ]
            for (name, description) in events {
                let put = try await radicale.request(
                    "PUT", "\(calendar)\(name).ics", body: Data(Radicale.event(uid: "prev-\(name)", organizer: user, description: description).utf8),
                    headers: ["Content-Type": "text/calendar; charset=utf-8"])
                #expect(put.status == 201, "PUT \(name) answered \(put.status)")
            }
            let passwordFile = FileManager.default.temporaryDirectory.appendingPathComponent("caldav-pw-\(UUID().uuidString)")
            try Data("\(radicale.password)\n".utf8).write(to: passwordFile)
            defer { try? FileManager.default.removeItem(at: passwordFile) }
            _ = try await tenant.json([
                "tenant", "mailbox", "set", "--type", "caldav", "--url", radicale.url, "--username", radicale.username,
                "--password-file", passwordFile.path, "--path-template", "/{user}/",
            ])
            _ = try await tenant.json(["meeting", "import", "--identity", user])
            var resourcesBefore: [String: Data] = [:]
            for (name, _) in events { resourcesBefore[name] = try await radicale.request("GET", "\(calendar)\(name).ics").body }

            let preview = try await tenant.json(["migration", "preview", "--identity", user, "--target-meeting-type", "teams"])
            let meetings = preview["meetings"].array
            let byUID = Dictionary(uniqueKeysWithValues: meetings.map { ($0["meeting_id"].string ?? "", $0) })
            #expect(meetings.count == 3, "\(preview)")
            let own = try #require(byUID["prev-own"])
            #expect(own["outcome"].string == "migrated" && own["sequence"].int == 4 && own["writes"].bool == true, "\(own)")
            #expect(byUID["prev-pasted"]?["skip_reason"].string == "pasted" && byUID["prev-noblock"]?["skip_reason"].string == "no_block")
            #expect(own["stamped_properties"].array.compactMap(\.string) == ["DTSTAMP", "LAST-MODIFIED"])
            let diff = try #require(own["diff"].string)
            #expect(diff.contains("\n-SEQUENCE:3\n") && diff.contains("\n+SEQUENCE:4\n"), "\(diff)")
            #expect(diff.contains("\n-DESCRIPTION:Agenda") && diff.contains("\n+DESCRIPTION:Agenda") && !diff.contains("\n-X-CONTOSO-TAG") && !diff.contains("\n+X-CONTOSO-TAG"), "\(diff)")
            let detailed = try await tenant.mms(["migration", "preview", "--identity", user, "--target-meeting-type", "teams", "--diff"], token: tenant.readerToken)
            #expect(detailed.exitCode == 0 && detailed.output.contains("unfolded iCalendar content lines") && detailed.output.contains("+SEQUENCE:4"), "\(detailed)")
            // The preview changed nothing on the server nor in the store.
            for (name, _) in events {
                #expect(try await radicale.request("GET", "\(calendar)\(name).ics").body == resourcesBefore[name], "\(name) unchanged")
            }
            #expect(try await tenant.json(["migration", "status", "--identity", user])["records"].array.isEmpty)

            let started = try await tenant.json(["migration", "start", "--identity", user, "--target-meeting-type", "teams"])
            let correlationId = try #require(started["correlation_id"].string)
            _ = try await tenant.waitForMigration(correlationId, identity: user, state: "succeeded")
            let outcomes = try await tenant.json(["migration", "outcomes", "--correlation-id", correlationId])["outcomes"].array
            for previewed in meetings {
                let id = try #require(previewed["meeting_id"].string)
                let outcome = try #require(outcomes.first { $0["meeting_id"].string == id }, "no outcome for \(id)")
                var reason = try #require(outcome["reason"].string)
                if previewed["undetermined"].string == "join_url", let allocated = Self.joinURL(inReason: reason) {
                    reason = reason.replacingOccurrences(of: allocated, with: previewed["new_join_url"].string ?? "")
                }
                #expect(outcome["outcome"].string == previewed["outcome"].string, "\(id)")
                #expect(reason == previewed["reason"].string, "\(id)")
            }
            // What Radicale holds now is what the preview said would be written, line by unfolded
            // line, but for the allocated join URL and the stamps of the write.
            let allocated = try #require(Self.joinURL(inReason: outcomes.first { $0["meeting_id"].string == "prev-own" }?["reason"].string ?? ""))
            let placeholder = try #require(own["new_join_url"].string)
            // (LAST-MODIFIED is the server's to keep or set, as in the test above: left out of both.)
            func masked(_ lines: [String]) -> [String] {
                lines.filter { !$0.hasPrefix("LAST-MODIFIED") }.map { line in
                    if line.hasPrefix("DTSTAMP:") { return "DTSTAMP:<time of the write>" }
                    return line.replacingOccurrences(of: allocated, with: placeholder)
                }
            }
            let written = Radicale.unfolded(try await radicale.request("GET", "\(calendar)own.ics").body)
            let previewed = Radicale.unfolded(Data((own["resource"].string ?? "").utf8))
            #expect(masked(written) == masked(previewed), "written:\n\(written.joined(separator: "\n"))\npreviewed:\n\(previewed.joined(separator: "\n"))")
            for name in ["pasted", "noblock"] {
                #expect(try await radicale.request("GET", "\(calendar)\(name).ics").body == resourcesBefore[name], "\(name) left alone, as previewed")
            }
        }
    }
}
