import Foundation
import Testing

extension EndToEnd {
    /// Input validated at the edge, and the exit codes of `mms`.
    @Suite("Validation and exit codes")
    struct Validation {
        @Test("S1: an empty identity is INVALID_ARGUMENT naming the field (exit 1)")
        func emptyIdentity() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            for command in [
                ["migration", "start", "--identity", ""],
                ["user", "move", "--identity", "", "--to", "cloud"],
                ["user", "get", "--identity", ""],
            ] {
                let result = try await tenant.mms(command)
                #expect(result.exitCode == 1, "\(result)")
                #expect(result.standardError.hasPrefix("mms: INVALID_ARGUMENT: identity is empty"), "\(result)")
            }
            let malformed = try await tenant.mms(["migration", "start", "--identity", "not a upn"])
            #expect(malformed.exitCode == 1, "\(malformed)")
            #expect(malformed.standardError.hasPrefix("mms: INVALID_ARGUMENT: identity"), "\(malformed)")
        }

        @Test("S1: a status time window that starts after it ends is INVALID_ARGUMENT")
        func startAfterEnd() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let result = try await tenant.mms([
                "migration", "status", "--start-time", "2026-11-25T10:00:00Z", "--end-time", "2026-11-25T09:00:00Z",
            ])
            #expect(result.exitCode == 1, "\(result)")
            #expect(result.standardError.hasPrefix("mms: INVALID_ARGUMENT: start_time"), "\(result)")
        }

        @Test("Issue 4, validation: a meeting that ends before it starts is INVALID_ARGUMENT and nothing is stored")
        func meetingEndsBeforeStart() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("backwards")
            let result = try await tenant.mms([
                "meeting", "add", "--organizer", user, "--start", "2030-01-01T10:00:00Z", "--end", "2030-01-01T09:00:00Z",
                "--body", "x", "--format", "text", "--kind", "teams",
            ])
            #expect(result.exitCode == 1, "\(result)")
            #expect(result.standardError.hasPrefix("mms: INVALID_ARGUMENT: meeting.start"), "\(result)")
            #expect(try await tenant.json(["meeting", "list", "--identity", user])["meetings"].array.isEmpty)
        }

        @Test("Issue 4, CLI: usage errors are one line and exit 64: an unknown --state, a bad time, a missing option, a bad endpoint")
        func usageErrors() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            for command in [
                ["migration", "status", "--state", "finished"],
                ["migration", "status", "--start-time", "yesterday"],
                ["migration", "start"],
                ["migration", "start", "--identity", "a@b.example", "--target-meeting-type", "skype"],
                ["migration", "status", "--watch", "--state", "failed"],
                ["migration", "outcomes"],
                ["user", "move", "--identity", "a@b.example", "--to", "moon"],
                ["user", "audio-conferencing", "conference-id", "--identity", "a@b.example"],
                ["meeting", "add", "--organizer", "a@b.example", "--start", "2030-01-01T10:00:00Z", "--end", "2030-01-01T11:00:00Z",
                 "--format", "html", "--kind", "teams"],
                ["health", "--endpoint", "no-port-here"],
                ["no-such-command"],
            ] {
                let result = try await tenant.mms(command)
                #expect(result.exitCode == 64, "\(result)")
                #expect(result.standardError.hasPrefix("mms: "), "\(result)")
                #expect(result.standardError.hasSuffix(" --help)\n"), "\(result)")
                #expect(result.standardError.split(separator: "\n").count == 1, "one line: \(result)")
                #expect(result.standardOutput.isEmpty, "\(result)")
            }
            let unknownState = try await tenant.mms(["migration", "status", "--state", "finished"])
            #expect(unknownState.standardError.contains("'finished' is invalid for '--state"), "\(unknownState)")
            #expect(unknownState.standardError.contains("mms migration status --help"), "\(unknownState)")
            // A known state in another spelling is accepted.
            #expect(try await tenant.mms(["migration", "status", "--state", "InProgress"]).exitCode == 0)
        }

        @Test("Issue 4, CLI: an unreachable server exits 69 with one line naming UNAVAILABLE")
        func unreachable() async throws {
            let server = try SharedServer.get()
            let closedPort = try Ports.free()
            let result = try await server.mms(["health", "--endpoint", "127.0.0.1:\(closedPort)"], token: nil)
            #expect(result.exitCode == 69, "\(result)")
            #expect(result.standardError.hasPrefix("mms: UNAVAILABLE: "), "\(result)")
            #expect(result.standardError.split(separator: "\n").count == 1, "\(result)")
        }

        @Test("Issue 4, CLI: an unreadable --body-file exits 66")
        func unreadableFile() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let result = try await tenant.mms([
                "meeting", "add", "--organizer", "a@b.example", "--start", "2030-01-01T10:00:00Z", "--end", "2030-01-01T11:00:00Z",
                "--body-file", "/nonexistent/agenda.html", "--format", "html", "--kind", "teams",
            ])
            #expect(result.exitCode == 66, "\(result)")
            #expect(result.standardError.hasPrefix("mms: cannot read --body-file"), "\(result)")
        }

        @Test("Issue 4, CLI: --help on every command explains its options and mms --help documents the exit codes")
        func help() async throws {
            let server = try SharedServer.get()
            let root = try await server.mms(["--help"], token: nil)
            #expect(root.exitCode == 0, "\(root)")
            for code in ["64", "69", "MMS_ENDPOINT", "MMS_TOKEN"] {
                #expect(root.output.contains(code), "\(root)")
            }
            let status = try await server.mms(["migration", "status", "--help"], token: nil)
            for option in ["--identity", "--state", "--start-time", "--end-time", "--summary-only", "--watch", "--endpoint", "--token", "--output"] {
                #expect(status.output.contains(option), "\(option) missing from:\n\(status.output)")
            }
        }
    }
}
