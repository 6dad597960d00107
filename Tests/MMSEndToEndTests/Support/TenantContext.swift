import Foundation
import Testing

/// A fresh tenant on a test server, with an admin and a reader token, and the `mms` calls
/// tests make with them. Each test takes its own tenant, so tests sharing a server do not see
/// each other's users, settings or migrations.
struct TenantContext: Sendable {
    let server: ServerProcess
    let id: String
    let adminToken: String
    let readerToken: String

    /// Creates a tenant (as the operator) and its tokens, and a bridge `bridge-us` with two numbers.
    static func make(on server: ServerProcess, name: String = "t") async throws -> TenantContext {
        let id = "\(name)-\(UUID().uuidString.prefix(8).lowercased())"
        let operatorToken = server.operatorToken
        _ = try await server.json(["tenant", "create", "--tenant-id", id, "--display-name", "Test \(id)"], token: operatorToken)
        let admin = try await server.json(["token", "create", "--tenant-id", id, "--role", "admin", "--description", "e2e admin"], token: operatorToken)
        let reader = try await server.json(["token", "create", "--tenant-id", id, "--role", "reader", "--description", "e2e reader"], token: operatorToken)
        let context = TenantContext(
            server: server, id: id, adminToken: try #require(admin["token"].string), readerToken: try #require(reader["token"].string))
        _ = try await context.json([
            "bridge", "save", "--bridge-id", "bridge-us", "--name", "US bridge",
            "--number", "+13238867531=United States, Los Angeles (Toll)", "--number", "+18005550100=United States (Toll-free)",
        ])
        _ = try await context.json(["bridge", "save", "--bridge-id", "bridge-fr", "--name", "FR bridge", "--number", "+33170000000=France, Paris (Toll)"])
        return context
    }

    /// Runs `mms` with the admin token (or `token`).
    func mms(_ arguments: [String], token: String? = nil, standardInput: Data? = nil) async throws -> MMSResult {
        try await server.mms(arguments, token: token ?? adminToken, standardInput: standardInput)
    }

    /// Runs `mms ... --output json`, requires exit 0 and returns the document.
    func json(_ arguments: [String], token: String? = nil) async throws -> JSON {
        try await server.json(arguments, token: token ?? adminToken)
    }

    /// Runs `mms ... --output json` for a change the server refuses (issue 9: exit 3, the
    /// normal JSON on standard output, `mms: refused: <reason>` on standard error) and returns the document.
    func refused(_ arguments: [String], token: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSON {
        let result = try await mms(arguments + ["--output", "json"], token: token)
        guard result.exitCode == 3 else { throw Failure("expected a refusal (exit 3):\n\(result)") }
        #expect(result.standardError.hasPrefix("mms: refused: "), "\(result)", sourceLocation: sourceLocation)
        #expect(result.standardError.split(separator: "\n").count == 1, "one line: \(result)", sourceLocation: sourceLocation)
        return try result.json()
    }

    /// Creates a user; by default homed online with Microsoft audio conferencing on `bridge-us`.
    @discardableResult
    func createUser(
        _ name: String, homing: String = "online", mailbox: String = "online", audio: Bool = true, provider: String = "microsoft",
        extra: [String] = []
    ) async throws -> String {
        let identity = "\(name)@\(id).example.com"
        var arguments = ["user", "create", "--identity", identity, "--homing", homing, "--mailbox", mailbox, "--provider", provider]
        if audio {
            arguments += ["--audio-conferencing-licensed", "--audio-conferencing-enabled", "--bridge-id", "bridge-us",
                          "--conference-id", String(Int.random(in: 100_000_000...999_999_999))]
        }
        let user = try await json(arguments + extra)
        #expect(user["user_principal_name"].string == identity)
        return identity
    }

    /// Adds a meeting through the service (so the server appends its block) starting in a day.
    @discardableResult
    func addMeeting(
        organizer: String, kind: String = "skype-on-premises", format: String = "html", body: String = "<p>Agenda</p>",
        attendees: [String] = ["bob@fabrikam.example.com", "carol@fabrikam.example.com"], pasted: Bool = false, extra: [String] = []
    ) async throws -> JSON {
        let start = Date().addingTimeInterval(86_400)
        var arguments = [
            "meeting", "add", "--organizer", organizer, "--subject", "Weekly sync", "--start", Self.iso(start),
            "--end", Self.iso(start.addingTimeInterval(1800)), "--body", body, "--format", format, "--kind", kind,
        ]
        for attendee in attendees { arguments += ["--attendee", attendee] }
        if pasted { arguments.append("--pasted") }
        return try await json(arguments + extra)
    }

    /// Polls the migration `correlationId` until it reaches `state`; fails after `timeout`.
    @discardableResult
    func waitForMigration(_ correlationId: String, identity: String, state: String, timeout: Duration = .seconds(30)) async throws -> JSON {
        let deadline = ContinuousClock.now + timeout
        var last = JSON.null
        while ContinuousClock.now < deadline {
            let status = try await json(["migration", "status", "--identity", identity])
            if let record = status["records"].array.first(where: { $0["correlation_id"].string == correlationId }) {
                last = record
                if record["state"].string == state { return record }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure("migration \(correlationId) of \(identity) did not reach \(state) within \(timeout); last: \(last)\nserver log:\n\(server.log().suffix(2000))")
    }

    static func iso(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

extension ServerProcess {
    /// Runs `mms ... --output json`, requires exit 0 and returns the document.
    func json(_ arguments: [String], token: String?) async throws -> JSON {
        let result = try await mms(arguments + ["--output", "json"], token: token)
        guard result.exitCode == 0 else { throw Failure("expected success:\n\(result)") }
        return try result.json()
    }
}
