import Testing

extension EndToEnd {
    /// Tenant isolation and each role's rights (issue 4, "Tenants and security").
    @Suite("Tenants and roles")
    struct Security {
        /// Requires `result` to have failed with `code` (exit 1, one line on stderr).
        func expectFailure(_ result: MMSResult, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(result.exitCode == 1, "\(result)", sourceLocation: sourceLocation)
            #expect(result.standardError.hasPrefix("mms: \(code): "), "\(result)", sourceLocation: sourceLocation)
            #expect(result.standardError.split(separator: "\n").count == 1, "\(result)", sourceLocation: sourceLocation)
            #expect(result.standardOutput.isEmpty, "\(result)", sourceLocation: sourceLocation)
        }

        @Test("Issue 4, isolation: another tenant's users, meetings and migrations are NOT_FOUND, never their data")
        func isolation() async throws {
            let server = try SharedServer.get()
            let alpha = try await TenantContext.make(on: server, name: "alpha")
            let beta = try await TenantContext.make(on: server, name: "beta")
            let user = try await alpha.createUser("secret")
            let meeting = try await alpha.addMeeting(organizer: user, kind: "skype-online")
            let meetingId = try #require(meeting["meeting_id"].string)
            let started = try await alpha.json(["migration", "start", "--identity", user])
            let correlationId = try #require(started["correlation_id"].string)

            expectFailure(try await beta.mms(["user", "get", "--identity", user]), "NOT_FOUND")
            expectFailure(try await beta.mms(["user", "get", "--identity", user], token: beta.readerToken), "NOT_FOUND")
            expectFailure(try await beta.mms(["migration", "start", "--identity", user]), "NOT_FOUND")
            expectFailure(try await beta.mms(["user", "move", "--identity", user, "--to", "cloud"]), "NOT_FOUND")
            expectFailure(try await beta.mms(["meeting", "get", "--meeting-id", meetingId]), "NOT_FOUND")
            expectFailure(try await beta.mms(["meeting", "list", "--identity", user]), "NOT_FOUND")
            expectFailure(try await beta.mms(["migration", "outcomes", "--correlation-id", correlationId]), "NOT_FOUND")
            expectFailure(try await beta.mms(["migration", "status", "--identity", user]), "NOT_FOUND")
            expectFailure(try await beta.mms(["migration", "outcomes", "--identity", user]), "NOT_FOUND")
            #expect(try await beta.json(["migration", "status"])["records"].array.isEmpty)
            #expect(try await beta.json(["user", "list"])["users"].array.isEmpty)
            // Alpha still sees its own.
            #expect(try await alpha.json(["user", "get", "--identity", user])["user_principal_name"].string == user)
        }

        @Test("Issue 4, roles: a reader reads but cannot start a migration or change anything (PERMISSION_DENIED)")
        func readerRights() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("reader")
            let reader = tenant.readerToken
            #expect(try await tenant.json(["user", "get", "--identity", user], token: reader)["user_principal_name"].string == user)
            #expect(try await tenant.json(["migration", "status", "--summary-only"], token: reader)["summary"].array.count == 4)
            #expect(try await tenant.json(["whoami"], token: reader)["token"]["role"].string == "tenant_reader")
            expectFailure(try await tenant.mms(["migration", "start", "--identity", user], token: reader), "PERMISSION_DENIED")
            expectFailure(try await tenant.mms(["user", "move", "--identity", user, "--to", "cloud"], token: reader), "PERMISSION_DENIED")
            expectFailure(
                try await tenant.mms(["tenant", "migration-config", "set", "--meeting-migration-enabled", "false"], token: reader),
                "PERMISSION_DENIED")
            expectFailure(try await tenant.mms(["token", "create", "--tenant-id", tenant.id, "--role", "admin"], token: reader), "PERMISSION_DENIED")
        }

        @Test("Issue 4, roles: a tenant admin manages its tenant's tokens but cannot create tenants")
        func adminRights() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            #expect(try await tenant.json(["whoami"])["token"]["role"].string == "tenant_admin")
            let created = try await tenant.json(["token", "create", "--tenant-id", tenant.id, "--role", "reader", "--description", "by admin"])
            #expect(created["info"]["tenant_id"].string == tenant.id)
            let tokens = try await tenant.json(["token", "list"])["tokens"].array
            #expect(tokens.count == 3, "\(tokens)")
            #expect(tokens.allSatisfy { $0["tenant_id"].string == tenant.id })
            expectFailure(try await tenant.mms(["tenant", "create", "--tenant-id", "intruder-\(tenant.id)"]), "PERMISSION_DENIED")
            expectFailure(try await tenant.mms(["tenant", "list"]), "PERMISSION_DENIED")
        }

        @Test("Issue 4, roles: the operator creates tenants and tokens but cannot read tenant data (PERMISSION_DENIED)")
        func operatorRights() async throws {
            let server = try SharedServer.get()
            let tenant = try await TenantContext.make(on: server)
            let user = try await tenant.createUser("op")
            let token = server.operatorToken
            #expect(try await server.json(["whoami"], token: token)["token"]["role"].string == "operator")
            #expect(try await server.json(["tenant", "list"], token: token)["tenants"].array.contains { $0["tenant_id"].string == tenant.id })
            expectFailure(try await server.mms(["user", "get", "--identity", user], token: token), "PERMISSION_DENIED")
            expectFailure(try await server.mms(["migration", "status"], token: token), "PERMISSION_DENIED")
            expectFailure(try await server.mms(["migration", "start", "--identity", user], token: token), "PERMISSION_DENIED")

            // The token file the first start wrote works as it is (--token-file), and --secret-only prints
            // just a new token's secret, ready for MMS_TOKEN.
            let tokenFile = server.dataDirectory.appendingPathComponent("operator-token").path
            #expect(try await server.json(["whoami", "--token-file", tokenFile], token: nil)["token"]["role"].string == "operator")
            let secret = try await server.mms(["token", "create", "--tenant-id", tenant.id, "--role", "reader", "--secret-only"], token: token)
            #expect(secret.exitCode == 0, "\(secret)")
            let lines = secret.output.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("mms_"), "\(secret)")
            #expect(try await tenant.json(["whoami"], token: String(lines.first ?? ""))["token"]["role"].string == "tenant_reader")
        }

        @Test("Issue 4, authentication: no token, a made-up token and a revoked token are UNAUTHENTICATED")
        func authentication() async throws {
            let server = try SharedServer.get()
            let tenant = try await TenantContext.make(on: server)
            let user = try await tenant.createUser("auth")
            expectFailure(try await server.mms(["user", "get", "--identity", user], token: nil), "UNAUTHENTICATED")
            expectFailure(try await server.mms(["user", "get", "--identity", user], token: "mms_000000000000_deadbeef"), "UNAUTHENTICATED")

            let created = try await tenant.json(["token", "create", "--tenant-id", tenant.id, "--role", "admin", "--description", "to revoke"])
            let secret = try #require(created["token"].string)
            let tokenId = try #require(created["info"]["token_id"].string)
            #expect(try await tenant.json(["user", "get", "--identity", user], token: secret)["user_principal_name"].string == user)
            let revoked = try await tenant.json(["token", "revoke", "--token-id", tokenId])
            #expect(revoked["revoked_date"].string != nil, "\(revoked)")
            expectFailure(try await tenant.mms(["user", "get", "--identity", user], token: secret), "UNAUTHENTICATED")
            // The health check needs no token.
            #expect(try await server.json(["health"], token: nil)["status"].string == "serving")
        }
    }
}
