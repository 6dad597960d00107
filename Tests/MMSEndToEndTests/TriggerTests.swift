import Foundation
import Testing

extension EndToEnd {
    /// Each trigger of MISSION.md queues a migration, and each non-trigger does not (T1–T4, N1, N2).
    @Suite("Triggers and non-triggers")
    struct Triggers {
        /// Requires a directory change to have queued a migration, with its record.
        func expectQueued(_ response: JSON, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(response["queued"].bool == true, "\(response)", sourceLocation: sourceLocation)
            #expect(response["change_applied"].bool == true, "\(response)", sourceLocation: sourceLocation)
            #expect(response["status"]["correlation_id"].string?.isEmpty == false, "\(response)", sourceLocation: sourceLocation)
        }

        /// Requires a directory change not to have queued a migration, for `reasonCode`.
        func expectNotQueued(_ response: JSON, reasonCode: String, applied: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(response["queued"].bool == false, "\(response)", sourceLocation: sourceLocation)
            #expect(response["reason_code"].string == reasonCode, "\(response)", sourceLocation: sourceLocation)
            #expect(response["reason"].string?.isEmpty == false, "\(response)", sourceLocation: sourceLocation)
            #expect(response["change_applied"].bool == applied, "\(response)", sourceLocation: sourceLocation)
            #expect(response["status"].isNull, "\(response)", sourceLocation: sourceLocation)
        }

        @Test("T1: moving a user from on-premises to the cloud queues a migration to Teams")
        func moveToCloud() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("ashaw", homing: "on-premises")
            let response = try await tenant.json(["user", "move", "--identity", user, "--to", "cloud"])
            expectQueued(response)
            #expect(response["user"]["homing"].string == "online")
            #expect(response["status"]["user_principal_name"].string == user)
            #expect(response["status"]["migration_type"].string == "sfb_to_teams")
        }

        @Test("T1: the table output says a migration was queued")
        func moveToCloudTable() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("tableview", homing: "on-premises")
            let result = try await tenant.mms(["user", "move", "--identity", user, "--to", "cloud"])
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.output.hasPrefix("Queued a migration for \(user)."), "\(result)")
            #expect(result.output.contains("CorrelationId"), "\(result)")
        }

        @Test("T2: assigning and removing the audio-conferencing licence queues a migration")
        func licence() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("licence", audio: false, extra: ["--bridge-id", "bridge-us"])
            expectQueued(try await tenant.json(["user", "audio-conferencing", "licence", "--identity", user, "--assigned", "true"]))
            expectQueued(try await tenant.json(["user", "audio-conferencing", "licence", "--identity", user, "--assigned", "false"]))
        }

        @Test("T2: a licence change for a user on a third-party provider is not a trigger")
        func licenceThirdParty() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("thirdparty", audio: false, provider: "third-party")
            let response = try await tenant.json(["user", "audio-conferencing", "licence", "--identity", user, "--assigned", "true"])
            expectNotQueued(response, reasonCode: "notATrigger")
            #expect(response["user"]["audio_conferencing_licensed"].bool == true)
        }

        @Test("T2: the provider changing to Microsoft (with a licence) queues; to a third party does not")
        func provider() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("provider", provider: "third-party")
            expectQueued(try await tenant.json(["user", "audio-conferencing", "provider", "--identity", user, "--provider", "microsoft"]))
            expectNotQueued(
                try await tenant.json(["user", "audio-conferencing", "provider", "--identity", user, "--provider", "third-party"]),
                reasonCode: "notATrigger")
        }

        @Test("T2: enabling and disabling audio conferencing queues a migration")
        func enableDisable() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("enable")
            let disabled = try await tenant.json(["user", "audio-conferencing", "disable", "--identity", user])
            expectQueued(disabled)
            #expect(disabled["user"]["audio_conferencing_enabled"].bool == false)
            expectQueued(try await tenant.json(["user", "audio-conferencing", "enable", "--identity", user]))
        }

        @Test("T2: changing or resetting the conference id queues a migration")
        func conferenceId() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("confid")
            let changed = try await tenant.json(["user", "audio-conferencing", "conference-id", "--identity", user, "--set", "555123456"])
            expectQueued(changed)
            #expect(changed["user"]["conference_id"].string == "555123456")
            let reset = try await tenant.json(["user", "audio-conferencing", "conference-id", "--identity", user, "--reset"])
            expectQueued(reset)
            #expect(reset["user"]["conference_id"].string != "555123456")
        }

        @Test("T2: moving the user to another bridge queues a migration")
        func moveBridge() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("bridge")
            let response = try await tenant.json(["user", "audio-conferencing", "move-bridge", "--identity", user, "--bridge-id", "bridge-fr"])
            expectQueued(response)
            #expect(response["user"]["bridge_id"].string == "bridge-fr")
        }

        @Test("T2: unassigning a bridge number migrates exactly the users whose invitations carry it")
        func unassignNumber() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let carrier = try await tenant.createUser("carrier")
            let idle = try await tenant.createUser("idle")
            try await tenant.addMeeting(organizer: carrier, kind: "skype-online")
            let response = try await tenant.json(["bridge", "unassign-number", "--bridge-id", "bridge-us", "--number", "+18005550100"])
            let outcomes = response["outcomes"].array
            #expect(outcomes.count == 1, "\(response)")
            #expect(outcomes.first?["user"]["user_principal_name"].string == carrier)
            #expect(outcomes.first?["queued"].bool == true)
            #expect(!outcomes.contains { $0["user"]["user_principal_name"].string == idle })
            #expect(response["bridge"]["numbers"].array.map { $0["number"].string } == ["+13238867531"])
        }

        @Test("T3: granting TeamsOnly or SfBWithTeamsCollabAndMeetings to one user queues a migration")
        func grantPerUser() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let first = try await tenant.createUser("teamsonly")
            let second = try await tenant.createUser("collab")
            let teamsOnly = try await tenant.json(["user", "grant-upgrade-policy", "--identity", first, "--mode", "TeamsOnly"])
            expectQueued(teamsOnly)
            #expect(teamsOnly["user"]["teams_upgrade_mode"].string == "teams_only")
            expectQueued(try await tenant.json(["user", "grant-upgrade-policy", "--identity", second, "--mode", "SfBWithTeamsCollabAndMeetings"]))
        }

        @Test("T3: a grant with --migrate-meetings-to-teams false does not migrate")
        func grantWithoutMigration() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("nomigrate")
            let response = try await tenant.json([
                "user", "grant-upgrade-policy", "--identity", user, "--mode", "TeamsOnly", "--migrate-meetings-to-teams", "false",
            ])
            expectNotQueued(response, reasonCode: "notATrigger")
            #expect(response["user"]["teams_upgrade_mode"].string == "teams_only")
        }

        @Test("T3: other modes do not migrate")
        func grantOtherModes() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("islands")
            for mode in ["Islands", "SfBOnly", "SfBWithTeamsCollab"] {
                expectNotQueued(try await tenant.json(["user", "grant-upgrade-policy", "--identity", user, "--mode", mode]), reasonCode: "notATrigger")
            }
        }

        @Test("T3: a tenant-wide grant does not migrate")
        func grantTenantWide() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            try await tenant.createUser("tenantwide")
            let response = try await tenant.json(["tenant", "grant-upgrade-policy", "--mode", "TeamsOnly"])
            expectNotQueued(response, reasonCode: "notATrigger")
            #expect(response["user"].isNull)
            let status = try await tenant.json(["migration", "status"])
            #expect(status["records"].array.isEmpty, "\(status)")
        }

        @Test("T3: TeamsOnly for a user homed on-premises is refused and nothing changes")
        func teamsOnlyOnPremises() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("onprem", homing: "on-premises")
            let response = try await tenant.refused(["user", "grant-upgrade-policy", "--identity", user, "--mode", "TeamsOnly"])
            expectNotQueued(response, reasonCode: "teamsOnlyRequiresOnlineHoming", applied: false)
            #expect(try await tenant.json(["user", "get", "--identity", user])["teams_upgrade_mode"].string == "unspecified")
        }

        @Test("T4: migration start queues a manual migration, with its type from the source and target")
        func manualStart() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("manual")
            let defaults = try await tenant.json(["migration", "start", "--identity", user])
            #expect(defaults["queued"].bool == true, "\(defaults)")
            #expect(defaults["reason"].string == "")
            #expect(defaults["correlation_id"].string == defaults["status"]["correlation_id"].string)
            #expect(defaults["status"]["migration_type"].string == "to_same_type")
            try await tenant.waitForMigration(try #require(defaults["correlation_id"].string), identity: user, state: "succeeded")

            let toTeams = try await tenant.json([
                "migration", "start", "--identity", user, "--source-meeting-type", "all", "--target-meeting-type", "teams",
            ])
            #expect(toTeams["queued"].bool == true, "\(toTeams)")
            #expect(toTeams["status"]["migration_type"].string == "all_to_teams")
            try await tenant.waitForMigration(try #require(toTeams["correlation_id"].string), identity: user, state: "succeeded")

            let sfbOnly = try await tenant.json([
                "migration", "start", "--identity", user, "--source-meeting-type", "sfb", "--target-meeting-type", "teams",
            ])
            #expect(sfbOnly["status"]["migration_type"].string == "sfb_to_teams", "\(sfbOnly)")
        }

        @Test("N1: changing the SIP address is applied and does not migrate")
        func sipAddress() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("sip")
            let response = try await tenant.json(["user", "change-sip", "--identity", user, "--sip-address", "sip:amy.shaw@\(tenant.id).example.org"])
            expectNotQueued(response, reasonCode: "notATrigger")
            #expect(response["user"]["sip_address"].string == "sip:amy.shaw@\(tenant.id).example.org")
        }

        @Test("N2: changing the tenant's meeting URL does not migrate")
        func meetingURL() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            try await tenant.createUser("url")
            expectNotQueued(try await tenant.json(["tenant", "meeting-url", "set", "--host", "meet.\(tenant.id).example.com"]), reasonCode: "notATrigger")
            #expect(try await tenant.json(["migration", "status"])["records"].array.isEmpty)
        }
    }
}
