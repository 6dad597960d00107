import AsyncHTTPClient
import Foundation
import MMSClient
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 13: `GET /metrics` scraped with a real HTTP client during a real run (RPC over TCP,
/// the engine on SQLite), its Prometheus text parsed, and every counter checked to move by
/// exactly what the test did.
@Suite("Metrics endpoint")
struct MetricsTests {
    /// One scrape: each sample line's name with its labels, as rendered, to its value.
    struct Scrape {
        var samples: [String: Double] = [:]
        subscript(_ key: String) -> Double { self.samples[key] ?? 0 }
    }

    static func scrape(_ http: HTTPClient, port: Int) async throws -> Scrape {
        let response = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
        #expect(response.status == .ok)
        #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let body = String(buffer: try await response.body.collect(upTo: 4 << 20))
        var scrape = Scrape()
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                Issue.record("not a Prometheus sample line: \(line)")
                continue
            }
            let key = String(line[..<space])
            // Names and labels follow the conventions: snake case, mms_ prefix, no unbounded label.
            #expect(key.hasPrefix("mms_"), "\(key)")
            #expect(!key.contains("@"), "a label holds an identity: \(key)")
            scrape.samples[key] = value
        }
        return scrape
    }

    static func calls(_ service: String, _ method: String, _ code: String) -> String {
        "mms_rpc_calls_total{service=\"mms.v1.\(service)\",method=\"\(method)\",code=\"\(code)\"}"
    }

    @Test("Issue 13: RPC, engine and store metrics move by exactly the calls and the migration made")
    func countersMove() async throws {
        let server = try await ServerFixture.start(metrics: true)
        defer { server.removeData() }
        let port = try #require(server.metricsPort)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let tenant = try await server.tenant("contoso")
        let admin = try server.client(tenant.admin)
        let reader = try server.client(tenant.reader)
        _ = try await reader.call(HealthMethods.check, HealthCheckRequest())  // reader's connection open

        let before = try await Self.scrape(http, port: port)
        #expect(before[Self.calls("AdminService", "CreateToken", "OK")] == 2, "the fixture made two tokens")
        for _ in 0..<5 { _ = try await admin.call(HealthMethods.check, HealthCheckRequest()) }
        for _ in 0..<3 { _ = try await admin.migrationStatus(GetMigrationStatusRequest()) }
        for _ in 0..<2 {
            await expectStatus(.permissionDenied) {
                _ = try await reader.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "x@contoso.com")))
            }
        }
        #expect(Self.sendHTTPToRPCPort(server.endpoint).hasPrefix("HTTP/1.1 400"))
        let after = try await Self.scrape(http, port: port)

        func delta(_ key: String) -> Double { after[key] - before[key] }
        #expect(delta(Self.calls("Health", "Check", "OK")) == 5)
        #expect(delta("mms_rpc_call_duration_seconds_count{service=\"mms.v1.Health\",method=\"Check\"}") == 5)
        #expect(delta(Self.calls("MigrationService", "GetMigrationStatus", "OK")) == 3)
        #expect(delta("mms_rpc_call_duration_seconds_count{service=\"mms.v1.MigrationService\",method=\"GetMigrationStatus\"}") == 3)
        #expect(delta(Self.calls("DirectoryService", "CreateUser", "PERMISSION_DENIED")) == 2)
        #expect(delta("mms_rpc_rejected_total{reason=\"http_request\"}") == 1)
        #expect(after["mms_rpc_calls_in_flight"] == 0)
        // The fixture's operator client and the raw socket came and went; the admin's and the reader's stay open.
        #expect(try await eventually { try await Self.scrape(http, port: port)["mms_rpc_open_connections"] == 2 })
        await reader.close()
        #expect(try await eventually { try await Self.scrape(http, port: port)["mms_rpc_open_connections"] == 1 })

        // A migration of one meeting, run at once (hold 0): the engine's counters and the store's gauges.
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        _ = try await admin.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: "ann@contoso.com")))
        _ = try await admin.call(CalendarServiceMethods.addMeeting, AddMeetingRequest(meeting: Meeting(
            organizer: "ann@contoso.com", attendees: ["bob@fabrikam.example"], startMicros: now + 86_400_000_000,
            endMicros: now + 88_000_000_000, subject: "Sync", body: "agenda", bodyFormat: .plainText, kind: .skypeOnline,
            createdThroughService: true)))
        let started = try await admin.startMeetingMigration(StartMeetingMigrationRequest(identity: "ann@contoso.com", targetMeetingType: .teams))
        #expect(started.queued)
        var last = after
        let moved = try await eventually(timeout: .seconds(20)) {
            last = try await Self.scrape(http, port: port)
            return last["mms_migrations_finished_total{state=\"succeeded\"}"] == 1 && last["mms_invitations_total{outcome=\"sent\"}"] == 1
                && last["mms_meetings_total{outcome=\"migrated\",reason=\"none\"}"] == 1
        }
        #expect(moved, "engine metrics: \(last.samples.filter { $0.key.hasPrefix("mms_mig") || $0.key.hasPrefix("mms_inv") || $0.key.hasPrefix("mms_meet") })")
        #expect(last["mms_migration_attempts_started_total"] == 1)
        #expect(last["mms_migration_attempts_ended_total{result=\"succeeded\"}"] == 1)
        #expect(last["mms_migration_duration_seconds_count{result=\"succeeded\"}"] == 1)
        #expect(last["mms_migrations_finished_total{state=\"failed\"}"] == 0)
        #expect(last["mms_invitations_total{outcome=\"failed\"}"] == 0)
        #expect(last["mms_migrations{state=\"succeeded\"}"] == 1)
        #expect(last["mms_migrations{state=\"pending\"}"] == 0)
        #expect(last["mms_outbox_backlog"] == 0)
        #expect(last[Self.calls("MigrationService", "StartMeetingMigration", "OK")] == 1)

        await admin.close()
        try await http.shutdown()
        try await server.stop()
    }

    @Test("Issue 13: the endpoint serves /metrics only, to GET and HEAD")
    func otherRequests() async throws {
        let server = try await ServerFixture.start(metrics: true)
        defer { server.removeData() }
        let port = try #require(server.metricsPort)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let missing = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/"), timeout: .seconds(10))
        #expect(missing.status == .notFound)
        var post = HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics")
        post.method = .POST
        #expect(try await http.execute(post, timeout: .seconds(10)).status == .methodNotAllowed)
        try await http.shutdown()
        try await server.stop()
    }

    @Test("Issue 13: without --metrics-listen there is no endpoint")
    func offByDefault() async throws {
        let server = try await ServerFixture.start()
        defer { server.removeData() }
        #expect(server.metricsPort == nil)
        #expect(server.application.metricsEndpoint == nil)
        try await server.stop()
    }

    /// Sends an HTTP request to the RPC port over a plain socket and returns what came back.
    static func sendHTTPToRPCPort(_ endpoint: String) -> String {
        let port = UInt16(endpoint.split(separator: ":").last.flatMap { Int($0) } ?? 0)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "connect failed" }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
