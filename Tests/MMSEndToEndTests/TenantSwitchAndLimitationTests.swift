import Testing

extension EndToEnd {
    /// The tenant switches (S3, S4) and the limitations (L1, L2).
    @Suite("Tenant switches and limitations")
    struct SwitchesAndLimitations {
        @Test("S3: with MeetingMigrationEnabled off nothing triggers, not even a manual start; on again, it does")
        func meetingMigrationDisabled() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("s3", homing: "on-premises")
            #expect(try await tenant.json(["tenant", "migration-config", "get"])["meeting_migration_enabled"].bool == true)
            let set = try await tenant.json(["tenant", "migration-config", "set", "--meeting-migration-enabled", "false"])
            #expect(set["meeting_migration_enabled"].bool == false)
            #expect(try await tenant.json(["tenant", "migration-config", "get"])["meeting_migration_enabled"].bool == false)

            let move = try await tenant.json(["user", "move", "--identity", user, "--to", "cloud"])
            #expect(move["queued"].bool == false, "\(move)")
            #expect(move["reason_code"].string == "tenantMigrationDisabled", "\(move)")
            // A refusal exits 3 (issue 9).
            let start = try await tenant.refused(["migration", "start", "--identity", user])
            #expect(start["queued"].bool == false, "\(start)")
            #expect(start["reason"].string?.contains("S3") == true, "\(start)")
            #expect(try await tenant.json(["migration", "status"])["records"].array.isEmpty)

            _ = try await tenant.json(["tenant", "migration-config", "set", "--meeting-migration-enabled", "true"])
            #expect(try await tenant.json(["migration", "start", "--identity", user])["queued"].bool == true)
        }

        @Test("S4: with AutomaticallyMigrateUserMeetings off audio-conferencing changes do not trigger, T1, T3 and T4 still do")
        func automaticMigrationDisabled() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let audio = try await tenant.createUser("s4audio")
            let moved = try await tenant.createUser("s4move", homing: "on-premises")
            let granted = try await tenant.createUser("s4grant")
            #expect(try await tenant.json(["tenant", "dialin-settings", "get"])["automatically_migrate_user_meetings"].bool == true)
            let set = try await tenant.json(["tenant", "dialin-settings", "set", "--automatically-migrate-user-meetings", "false"])
            #expect(set["automatically_migrate_user_meetings"].bool == false)

            for change in [
                ["user", "audio-conferencing", "disable", "--identity", audio],
                ["user", "audio-conferencing", "conference-id", "--identity", audio, "--reset"],
                ["user", "audio-conferencing", "move-bridge", "--identity", audio, "--bridge-id", "bridge-fr"],
                ["user", "audio-conferencing", "licence", "--identity", audio, "--assigned", "false"],
            ] {
                let response = try await tenant.json(change)
                #expect(response["queued"].bool == false, "\(change): \(response)")
                #expect(response["reason_code"].string == "automaticMigrationDisabled", "\(change): \(response)")
                #expect(response["change_applied"].bool == true, "\(change): \(response)")
            }
            #expect(try await tenant.json(["migration", "status", "--identity", audio])["records"].array.isEmpty)

            #expect(try await tenant.json(["user", "move", "--identity", moved, "--to", "cloud"])["queued"].bool == true)
            #expect(try await tenant.json(["user", "grant-upgrade-policy", "--identity", granted, "--mode", "TeamsOnly"])["queued"].bool == true)
            #expect(try await tenant.json(["migration", "start", "--identity", audio])["queued"].bool == true)
        }

        @Test("L1: a user whose mailbox is on-premises is refused with a reason and nothing changes")
        func mailboxOnPremises() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("l1", homing: "on-premises", mailbox: "on-premises")
            let move = try await tenant.refused(["user", "move", "--identity", user, "--to", "cloud"])
            #expect(move["queued"].bool == false, "\(move)")
            #expect(move["reason_code"].string == "mailboxOnPremises", "\(move)")
            #expect(move["change_applied"].bool == false, "\(move)")
            #expect(try await tenant.json(["user", "get", "--identity", user])["homing"].string == "on_premises")

            let start = try await tenant.refused(["migration", "start", "--identity", user])
            #expect(start["queued"].bool == false, "\(start)")
            #expect(start["reason"].string?.contains("L1") == true, "\(start)")

            let table = try await tenant.mms(["user", "move", "--identity", user, "--to", "cloud"])
            #expect(table.exitCode == 3, "a refusal exits 3 (issue 9): \(table)")
            #expect(table.output.hasPrefix("Refused, nothing was changed and no migration was queued: L1"), "\(table)")
        }

        @Test("L2: moving a user from the cloud back to on-premises is refused and nothing changes")
        func moveBackOnPremises() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("l2")
            let move = try await tenant.refused(["user", "move", "--identity", user, "--to", "on-premises"])
            #expect(move["queued"].bool == false, "\(move)")
            #expect(move["reason_code"].string == "movingBackToOnPremises", "\(move)")
            #expect(move["change_applied"].bool == false, "\(move)")
            #expect(try await tenant.json(["user", "get", "--identity", user])["homing"].string == "online")
            #expect(try await tenant.json(["migration", "status"])["records"].array.isEmpty)
        }
    }
}
