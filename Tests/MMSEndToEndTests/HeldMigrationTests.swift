import Foundation
import Testing

extension EndToEnd {
    /// Behaviour that needs migrations to wait: coalescing within the hold, the live view, and a
    /// server restart while a migration is pending. These tests share their own server with a hold.
    @Suite("Held migrations: coalescing, watch, restart", .sharedServer(hold: "4s"))
    struct HeldMigrations {
        // The hold, 4 s: long enough for a test to act while the migration is pending, short enough
        // to keep the suite quick.

        @Test("M1: triggers for one user within the hold coalesce into one pending migration")
        func coalescing() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("coalesce", homing: "on-premises")
            let move = try await tenant.json(["user", "move", "--identity", user, "--to", "cloud"])
            let correlationId = try #require(move["status"]["correlation_id"].string)
            #expect(move["status"]["state"].string == "pending", "\(move)")
            let reset = try await tenant.json(["user", "audio-conferencing", "conference-id", "--identity", user, "--reset"])
            #expect(reset["queued"].bool == true, "\(reset)")
            #expect(reset["status"]["correlation_id"].string == correlationId, "\(reset)")
            let start = try await tenant.json(["migration", "start", "--identity", user])
            #expect(start["correlation_id"].string == correlationId, "\(start)")
            let records = try await tenant.json(["migration", "status", "--identity", user])["records"].array
            #expect(records.count == 1, "\(records)")
            #expect(records.first?["state"].string == "pending")
            try await tenant.waitForMigration(correlationId, identity: user, state: "succeeded")
        }

        @Test("S1: --watch --output json prints one JSON object per change until the migration finishes")
        func watchJSON() async throws {
            let server = try SharedServer.get()
            let tenant = try await TenantContext.make(on: server)
            let user = try await tenant.createUser("watchjson")
            try await tenant.addMeeting(organizer: user, kind: "skype-online")
            try await tenant.addMeeting(organizer: user, kind: "teams", format: "text", body: "Plain agenda")
            let correlationId = try #require(try await tenant.json(["migration", "start", "--identity", user])["correlation_id"].string)

            let watch = try server.startMMS(["migration", "status", "--identity", user, "--watch", "--output", "json"], token: tenant.adminToken)
            let result = try await server.finish(watch, timeout: .seconds(40))
            #expect(result.exitCode == 0, "\(result)")
            let lines = try result.jsonLines()
            #expect(lines.count >= 2, "\(result)")
            #expect(lines.allSatisfy { $0["correlation_id"].string == correlationId }, "\(result)")
            #expect(lines.first?["state"].string == "pending", "\(result)")
            let last = try #require(lines.last)
            #expect(last["state"].string == "succeeded", "\(result)")
            #expect(last["total_meeting"].int == 2, "\(result)")
            #expect(last["succeeded_meeting"].int == 2, "\(result)")
            #expect(!result.output.split(separator: "\n").contains { $0.isEmpty })
        }

        @Test("S1: --watch in a table prints a line per change with progress, then a final count")
        func watchTable() async throws {
            let server = try SharedServer.get()
            let tenant = try await TenantContext.make(on: server)
            let user = try await tenant.createUser("watchtable")
            try await tenant.addMeeting(organizer: user, kind: "skype-online")
            _ = try await tenant.json(["migration", "start", "--identity", user])

            let watch = try server.startMMS(["migration", "status", "--identity", user, "--watch"], token: tenant.adminToken)
            let result = try await server.finish(watch, timeout: .seconds(40))
            #expect(result.exitCode == 0, "\(result)")
            let lines = result.output.split(separator: "\n").map(String.init)
            #expect(lines.first?.contains("Pending") == true, "\(result)")
            #expect(lines.contains { $0.contains("Succeeded") && $0.contains("1/1 meetings") }, "\(result)")
            #expect(lines.last == "Every watched migration has finished: 1 succeeded, 0 failed.", "\(result)")

            // Nothing to watch for a user without migrations: an error, not a hang (exit 1, issue 9).
            let idle = try await tenant.createUser("nothingtowatch")
            let none = try await tenant.mms(["migration", "status", "--identity", idle, "--watch"])
            #expect(none.exitCode == 1, "\(none)")
            #expect(none.standardError.contains("no migration to watch"), "\(none)")
        }

        @Test(
            "S1: --watch on a terminal redraws one live view with a progress bar until the migration finishes",
            .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a pseudo-terminal"))
        func watchTerminal() async throws {
            let server = try SharedServer.get()
            let tenant = try await TenantContext.make(on: server)
            let user = try await tenant.createUser("watchtty")
            try await tenant.addMeeting(organizer: user, kind: "skype-online")
            _ = try await tenant.json(["migration", "start", "--identity", user])

            // script(1) runs mms on a pseudo-terminal, so mms sees a terminal and redraws in place.
            let command = "'\(server.mmsExecutable.path)' migration status --identity '\(user)' --watch"
            let script = try server.startProcess(URL(fileURLWithPath: "/usr/bin/script"), ["-q", "-e", "-c", command, "/dev/null"], token: tenant.adminToken)
            let result = try await server.finish(script, timeout: .seconds(40))
            #expect(result.exitCode == 0, "\(result)")
            let screen = result.output
            let clear = "\u{1B}[H\u{1B}[2J"
            #expect(screen.components(separatedBy: clear).count >= 3, "a redraw per change (Pending, then Succeeded):\n\(screen)")
            #expect(screen.contains("Migrations of \(user), live"), "\(screen)")
            #expect(screen.contains("[--------------------]"), "an empty bar while pending:\n\(screen)")
            #expect(screen.contains("[####################]"), "a full bar once succeeded:\n\(screen)")
            #expect(screen.contains("1/1 meetings"), "\(screen)")
            #expect(screen.contains("Every watched migration has finished: 1 succeeded, 0 failed."), "\(screen)")
        }

        @Test("M1, M2: a migration pending when the server stops (SIGTERM) is still there after a restart and finishes")
        func restart() async throws {
            let server = try SharedServer.get()
            let tenant = try await TenantContext.make(on: server)
            let user = try await tenant.createUser("restart", homing: "on-premises")
            let meeting = try await tenant.addMeeting(organizer: user, kind: "skype-on-premises")
            let meetingId = try #require(meeting["meeting_id"].string)
            let move = try await tenant.json(["user", "move", "--identity", user, "--to", "cloud"])
            let correlationId = try #require(move["status"]["correlation_id"].string)
            #expect(move["status"]["state"].string == "pending", "\(move)")

            let exitStatus = try await server.stop()
            #expect(exitStatus == 0, "mms-server should exit 0 after SIGTERM:\n\(server.log().suffix(2000))")
            let down = try await tenant.mms(["health"])
            #expect(down.exitCode == 69, "\(down)")

            try await server.restart()
            let records = try await tenant.json(["migration", "status", "--identity", user])["records"].array
            #expect(records.count == 1, "\(records)")
            #expect(records.first?["correlation_id"].string == correlationId, "\(records)")
            #expect(["pending", "in_progress", "succeeded"].contains(records.first?["state"].string ?? ""), "\(records)")
            // Tokens, tenant and directory survived too.
            #expect(try await tenant.json(["user", "get", "--identity", user])["homing"].string == "online")

            let finished = try await tenant.waitForMigration(correlationId, identity: user, state: "succeeded")
            #expect(finished["succeeded_meeting"].int == 1, "\(finished)")
            let migrated = try await tenant.json(["meeting", "get", "--meeting-id", meetingId])
            #expect(migrated["kind"].string == "teams", "\(migrated)")
            #expect(migrated["body"].string?.contains("Join Microsoft Teams Meeting") == true, "\(migrated)")
            let invitations = try await tenant.json(["meeting", "invitations", "--meeting-id", meetingId])["invitations"].array
            #expect(invitations.count == 1, "\(invitations)")
        }
    }
}
