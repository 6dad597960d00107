import Foundation
import Testing

extension EndToEnd {
    /// The command line itself (issue 9, "The command line", and the non-UTF-8 body file of
    /// "Validation"): refusals' exit code, many attendees, global options before the subcommand,
    /// a wrong subcommand, `--watch` with nothing to watch.
    @Suite("Command line (issue 9)")
    struct CommandLineBehaviour {
        /// A meeting start and end a day from now, as `mms meeting add` arguments.
        static func meetingTimes() -> [String] {
            let start = Date().addingTimeInterval(86_400)
            return ["--start", TenantContext.iso(start), "--end", TenantContext.iso(start.addingTimeInterval(1800))]
        }

        /// A file in the server's scratch folder with `contents`.
        static func file(_ server: ServerProcess, _ name: String, _ contents: Data) throws -> String {
            let url = server.scratch.appendingPathComponent("\(UUID().uuidString)-\(name)")
            try contents.write(to: url)
            return url.path
        }

        /// Requires a one-line usage error (exit 64, nothing on standard output) and returns its line.
        @discardableResult
        func expectUsageError(_ result: MMSResult, sourceLocation: SourceLocation = #_sourceLocation) -> String {
            #expect(result.exitCode == 64, "\(result)", sourceLocation: sourceLocation)
            #expect(result.standardError.split(separator: "\n").count == 1, "one line: \(result)", sourceLocation: sourceLocation)
            #expect(result.standardOutput.isEmpty, "\(result)", sourceLocation: sourceLocation)
            return result.standardError
        }

        // MARK: Refusals exit 3

        @Test("Issue 9, L1 and L2: a refused move exits 3, prints its usual output and the reason on one stderr line; nothing changes")
        func refusedMoves() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let l1 = try await tenant.createUser("l1", homing: "on-premises", mailbox: "on-premises")
            let l2 = try await tenant.createUser("l2")

            let l1Move = try await tenant.mms(["user", "move", "--identity", l1, "--to", "cloud", "--output", "json"])
            #expect(l1Move.exitCode == 3, "\(l1Move)")
            let l1Document = try l1Move.json()
            #expect(l1Document["change_applied"].bool == false, "\(l1Move)")
            #expect(l1Document["reason_code"].string == "mailboxOnPremises", "\(l1Move)")
            #expect(l1Move.standardError.hasPrefix("mms: refused: L1: "), "\(l1Move)")
            #expect(l1Move.standardError.split(separator: "\n").count == 1, "\(l1Move)")

            let l2Move = try await tenant.mms(["user", "move", "--identity", l2, "--to", "on-premises"])
            #expect(l2Move.exitCode == 3, "\(l2Move)")
            #expect(l2Move.output.hasPrefix("Refused, nothing was changed"), "the table is still printed: \(l2Move)")
            #expect(l2Move.standardError.hasPrefix("mms: refused: L2: "), "\(l2Move)")

            #expect(try await tenant.json(["user", "get", "--identity", l1])["homing"].string == "on_premises")
            #expect(try await tenant.json(["user", "get", "--identity", l2])["homing"].string == "online")
            #expect(try await tenant.json(["migration", "status"])["records"].array.isEmpty)
        }

        @Test("Issue 9, T3: TeamsOnly granted to a user homed on-premises does not exit 0, and nothing changes")
        func refusedTeamsOnly() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("onprem", homing: "on-premises")
            let result = try await tenant.mms(["user", "grant-upgrade-policy", "--identity", user, "--mode", "TeamsOnly", "--output", "json"])
            // Today the server answers change_applied false (exit 3); an error status for this
            // invalid grant (exit 1) would be as good. Success (exit 0) is the defect.
            if result.exitCode == 3 {
                let document = try result.json()
                #expect(document["change_applied"].bool == false, "\(result)")
                #expect(document["reason_code"].string == "teamsOnlyRequiresOnlineHoming", "\(result)")
                #expect(result.standardError.hasPrefix("mms: refused: T3: "), "\(result)")
            } else {
                #expect(result.exitCode == 1, "a refusal must not exit 0: \(result)")
                #expect(result.standardError.hasPrefix("mms: INVALID_ARGUMENT: ") || result.standardError.hasPrefix("mms: FAILED_PRECONDITION: "), "\(result)")
            }
            #expect(try await tenant.json(["user", "get", "--identity", user])["teams_upgrade_mode"].string == "unspecified")
        }

        @Test("Issue 9, S3 and L1: migration start that queues nothing exits 3 with the reason; a change applied with S3 off exits 0")
        func refusedStart() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let mailbox = try await tenant.createUser("l1start", mailbox: "on-premises")
            let l1 = try await tenant.mms(["migration", "start", "--identity", mailbox, "--output", "json"])
            #expect(l1.exitCode == 3, "\(l1)")
            #expect(try l1.json()["queued"].bool == false, "\(l1)")
            #expect(l1.standardError.hasPrefix("mms: refused: L1: "), "\(l1)")

            let user = try await tenant.createUser("s3start", homing: "on-premises")
            _ = try await tenant.json(["tenant", "migration-config", "set", "--meeting-migration-enabled", "false"])
            let s3 = try await tenant.mms(["migration", "start", "--identity", user])
            #expect(s3.exitCode == 3, "\(s3)")
            #expect(s3.output.hasPrefix("Refused, no migration was queued: S3"), "\(s3)")
            #expect(s3.standardError.hasPrefix("mms: refused: S3: "), "\(s3)")
            // The move is applied even though S3 stops the migration: not a refusal.
            let move = try await tenant.mms(["user", "move", "--identity", user, "--to", "cloud", "--output", "json"])
            #expect(move.exitCode == 0, "\(move)")
            #expect(try move.json()["change_applied"].bool == true, "\(move)")
            #expect(try move.json()["queued"].bool == false, "\(move)")
            #expect(move.standardError.isEmpty, "\(move)")
            #expect(try await tenant.json(["migration", "status"])["records"].array.isEmpty)
        }

        @Test("Issue 9, N1 and S4: a change applied with no migration queued, or a value set again, still exits 0")
        func appliedWithoutMigration() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("applied")
            let sip = try await tenant.mms(["user", "change-sip", "--identity", user, "--sip-address", "sip:other@\(tenant.id).example.com"])
            #expect(sip.exitCode == 0, "N1: \(sip)")
            #expect(sip.standardError.isEmpty, "\(sip)")
            let again = try await tenant.mms(["user", "audio-conferencing", "enable", "--identity", user, "--output", "json"])
            #expect(again.exitCode == 0, "already enabled (nothingChanged): \(again)")
            #expect(try again.json()["reason_code"].string == "nothingChanged", "\(again)")
            _ = try await tenant.json(["tenant", "dialin-settings", "set", "--automatically-migrate-user-meetings", "false"])
            let s4 = try await tenant.mms(["user", "audio-conferencing", "disable", "--identity", user, "--output", "json"])
            #expect(s4.exitCode == 0, "S4: \(s4)")
            #expect(try s4.json()["reason_code"].string == "automaticMigrationDisabled", "\(s4)")
        }

        // MARK: Many attendees

        @Test("Issue 9, M2: 8,000 --attendee options are all sent, in order, in both spellings")
        func manyAttendees() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("crowd")
            let addresses = (1...8_000).map { "guest\($0)@crowd\($0 % 7).example.com" }
            var arguments = ["meeting", "add", "--organizer", user, "--subject", "All hands", "--body", "Agenda", "--format", "text", "--kind", "teams"]
                + Self.meetingTimes()
            for (index, address) in addresses.enumerated() {
                arguments += index.isMultiple(of: 2) ? ["--attendee", address] : ["--attendee=\(address)"]
            }
            let added = try await tenant.json(arguments)
            #expect(added["attendees"].array.compactMap(\.string) == addresses, "\(added["attendees"].array.count) attendees")
            let meetingId = try #require(added["meeting_id"].string)
            let stored = try await tenant.json(["meeting", "get", "--meeting-id", meetingId])
            #expect(stored["attendees"].array.compactMap(\.string) == addresses, "\(stored["attendees"].array.count) attendees stored")
        }

        @Test("Issue 9: --attendees-file reads one address a line (blank lines skipped, CRLF accepted) after the --attendee ones")
        func attendeesFile() async throws {
            let server = try SharedServer.get()
            let tenant = try await TenantContext.make(on: server)
            let user = try await tenant.createUser("filed")
            let path = try Self.file(server, "attendees.txt", Data("one@a.example.com\r\n\r\n  two@b.example.com  \n\nthree@c.example.com\r\n".utf8))
            let added = try await tenant.json(
                ["meeting", "add", "--organizer", user, "--body", "x", "--format", "text", "--kind", "teams", "--attendee", "first@z.example.com",
                 "--attendees-file", path] + Self.meetingTimes())
            #expect(
                added["attendees"].array.compactMap(\.string) == ["first@z.example.com", "one@a.example.com", "two@b.example.com", "three@c.example.com"],
                "\(added)")

            let addresses = (1...8_000).map { "filed\($0)@big.example.com" }
            let big = try Self.file(server, "big.txt", Data((addresses.joined(separator: "\n") + "\n").utf8))
            let large = try await tenant.json(
                ["meeting", "add", "--organizer", user, "--body", "x", "--format", "text", "--kind", "teams", "--attendees-file", big] + Self.meetingTimes())
            let stored = try await tenant.json(["meeting", "get", "--meeting-id", try #require(large["meeting_id"].string)])
            #expect(stored["attendees"].array.compactMap(\.string) == addresses, "\(stored["attendees"].array.count) attendees stored")
        }

        @Test("Issue 9: an unreadable --attendees-file exits 66 and a non-UTF-8 one 65, one line each, nothing stored")
        func badAttendeesFile() async throws {
            let server = try SharedServer.get()
            let tenant = try await TenantContext.make(on: server)
            let user = try await tenant.createUser("badfile")
            let base = ["meeting", "add", "--organizer", user, "--body", "x", "--format", "text", "--kind", "teams"] + Self.meetingTimes()
            let missing = try await tenant.mms(base + ["--attendees-file", "/nonexistent/attendees.txt"])
            #expect(missing.exitCode == 66, "\(missing)")
            #expect(missing.standardError == "mms: cannot read --attendees-file /nonexistent/attendees.txt\n", "\(missing)")
            let latin1 = try Self.file(server, "latin1.txt", Data([0x63, 0x61, 0x66, 0xE9, 0x40, 0x61, 0x2E, 0x65, 0x78, 0x0A]))
            let invalid = try await tenant.mms(base + ["--attendees-file", latin1])
            #expect(invalid.exitCode == 65, "\(invalid)")
            #expect(invalid.standardError == "mms: --attendees-file \(latin1) is not UTF-8 text\n", "\(invalid)")
            #expect(try await tenant.json(["meeting", "list", "--identity", user])["meetings"].array.isEmpty)
        }

        // MARK: Non-UTF-8 body file (issue 9, Validation)

        @Test("Issue 9, M8: a non-UTF-8 --body-file is one line naming the file, exit 65, nothing stored")
        func nonUTF8BodyFile() async throws {
            let server = try SharedServer.get()
            let tenant = try await TenantContext.make(on: server)
            let user = try await tenant.createUser("latin1")
            let path = try Self.file(server, "agenda-latin1.html", Data("<p>caf".utf8) + Data([0xE9]) + Data("</p>".utf8))
            let base = ["meeting", "add", "--organizer", user, "--format", "html", "--kind", "teams"] + Self.meetingTimes()
            let result = try await tenant.mms(base + ["--body-file", path])
            #expect(result.exitCode == 65, "\(result)")
            #expect(result.standardError == "mms: --body-file \(path) is not UTF-8 text\n", "exactly one line: \(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")

            let piped = try await tenant.mms(base + ["--body-file", "-"], standardInput: Data([0xFF, 0xFE, 0x41]))
            #expect(piped.exitCode == 65, "\(piped)")
            #expect(piped.standardError == "mms: --body-file - (standard input) is not UTF-8 text\n", "\(piped)")
            #expect(try await tenant.json(["meeting", "list", "--identity", user])["meetings"].array.isEmpty)
        }

        // MARK: Global options before the subcommand

        @Test("Issue 9: --endpoint works before the subcommand, in both spellings; given twice, the one after the subcommand wins")
        func endpointFirst() async throws {
            let server = try SharedServer.get()
            let closed = "127.0.0.1:\(try Ports.free())"
            // MMS_ENDPOINT names the live server, so only an --endpoint that was read can fail with 69.
            let before = try await server.mms(["--endpoint", closed, "health"], token: nil)
            #expect(before.exitCode == 69, "\(before)")
            #expect(before.standardError.hasPrefix("mms: UNAVAILABLE: "), "\(before)")
            let joined = try await server.mms(["--endpoint=\(closed)", "health"], token: nil)
            #expect(joined.exitCode == 69, "\(joined)")
            let good = try await server.mms(["--endpoint", server.endpoint, "health"], token: nil)
            #expect(good.exitCode == 0, "\(good)")
            #expect(good.output.contains("Serving"), "\(good)")

            let afterWins = try await server.mms(["--endpoint", closed, "health", "--endpoint", server.endpoint], token: nil)
            #expect(afterWins.exitCode == 0, "\(afterWins)")
            let afterWinsAgain = try await server.mms(["--endpoint", server.endpoint, "health", "--endpoint=\(closed)"], token: nil)
            #expect(afterWinsAgain.exitCode == 69, "\(afterWinsAgain)")
            let help = try await server.mms(["migration", "status", "--help"], token: nil)
            #expect(help.output.contains("the one after wins"), "\(help)")
        }

        @Test("Issue 9: --token, --token-file, --output and --timeout work before the subcommand and between its words")
        func otherGlobalsFirst() async throws {
            let server = try SharedServer.get()
            let tenant = try await TenantContext.make(on: server)
            let user = try await tenant.createUser("globals")

            let token = try await server.mms(["--token", tenant.adminToken, "--output", "json", "user", "get", "--identity", user], token: nil)
            #expect(token.exitCode == 0, "\(token)")
            #expect(try token.json()["user_principal_name"].string == user, "\(token)")
            let joined = try await server.mms(["--token=\(tenant.readerToken)", "--output=json", "whoami"], token: nil)
            #expect(try joined.json()["token"]["role"].string == "tenant_reader", "\(joined)")

            let tokenFile = try Self.file(server, "token", Data((tenant.adminToken + "\n").utf8))
            let fromFile = try await server.mms(["--token-file", tokenFile, "migration", "--output", "json", "status", "--identity", user], token: nil)
            #expect(fromFile.exitCode == 0, "\(fromFile)")
            #expect(try fromFile.json()["records"].array.isEmpty, "\(fromFile)")

            // --timeout is read: 0 is refused by its validation.
            let timeout = try await server.mms(["--timeout", "0", "health"], token: nil)
            #expect(timeout.exitCode == 64, "\(timeout)")
            #expect(timeout.standardError.contains("--timeout must be at least 1 second"), "\(timeout)")
            // The one after the subcommand wins for these too.
            let output = try await server.mms(["--output", "json", "health", "--output", "table"], token: nil)
            #expect(output.output.hasPrefix("Status : Serving"), "\(output)")
        }

        // MARK: A wrong subcommand

        @Test("Issue 9: a word that is not a command is named, with the commands there are (exit 64, one line)")
        func wrongSubcommand() async throws {
            let server = try SharedServer.get()
            let delete = expectUsageError(try await server.mms(["user", "delete", "--identity", "x@y.example.com"], token: nil))
            #expect(
                delete == "mms: 'delete' is not a command of 'mms user'; its commands are: create, get, list, move, grant-upgrade-policy, "
                    + "audio-conferencing, change-sip (see: mms user --help)\n", "\(delete)")
            let nested = expectUsageError(try await server.mms(["user", "audio-conferencing", "mute", "--identity", "x@y.example.com"], token: nil))
            #expect(
                nested.hasPrefix("mms: 'mute' is not a command of 'mms user audio-conferencing'; its commands are: licence, provider, enable,"),
                "\(nested)")
            #expect(nested.hasSuffix("(see: mms user audio-conferencing --help)\n"), "\(nested)")
            // With a global option first, the command is still named.
            let root = expectUsageError(try await server.mms(["--output", "json", "users", "list"], token: nil))
            #expect(root.hasPrefix("mms: 'users' is not a command of 'mms'; its commands are: health, whoami, tenant,"), "\(root)")
            // An option where a command is needed.
            let noCommand = expectUsageError(try await server.mms(["tenant", "migration-config", "--meeting-migration-enabled", "false"], token: nil))
            #expect(noCommand.hasPrefix("mms: 'mms tenant migration-config' needs a command before its options; its commands are: get, set"), "\(noCommand)")
            // Help is still help.
            let help = try await server.mms(["user", "--help"], token: nil)
            #expect(help.exitCode == 0, "\(help)")
            #expect(help.output.contains("grant-upgrade-policy"), "\(help)")
        }

        // MARK: --watch with nothing to watch

        @Test("Issue 9, S1: migration status --watch for a user with no migration exits 1 with one NOT_FOUND line")
        func watchNothing() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("unwatched")
            for extra in [[], ["--output", "json"]] {
                let result = try await tenant.mms(["migration", "status", "--identity", user, "--watch"] + extra)
                #expect(result.exitCode == 1, "\(result)")
                #expect(result.standardError == "mms: NOT_FOUND: no migration to watch for \(user)\n", "\(result)")
                #expect(result.standardOutput.isEmpty, "\(result)")
            }
            let tenantWide = try await tenant.mms(["migration", "status", "--watch"])
            #expect(tenantWide.exitCode == 1, "a tenant with no migration at all: \(tenantWide)")
        }
    }
}
