import Foundation
import Testing

/// `mms-load` against a real `mms-server`: short runs that check the tool works and reports
/// sanely. Speed is measured by the benchmarks, never asserted here.
@Suite("mms-load against a real mms-server")
struct MMSLoadTests {
    @Test("Closed loop over the whole mix: calls made, no errors, percentiles in order")
    func closedLoopMix() async throws {
        let server = try await LoadTestServer.start()
        defer { Task { await server.tearDown() } }
        let report = try await server.load([
            "--operator-token-file", server.operatorTokenFile.path, "--users", "20",
            "--mix", "status=5,start=1,summary=1,config=1,dialin=1,health=1",
            "--connections", "2", "--in-flight", "4", "--duration", "1s", "--output", "json", "--quiet",
        ])
        try Self.checkSane(report)
        #expect(report["mode"] as? String == "closed")
        let byCall = try #require(report["by_call"] as? [String: Any])
        #expect(Set(byCall.keys) == ["status", "start", "summary", "config", "dialin", "health"])
    }

    @Test("Open loop at a fixed rate: about rate × duration calls, no errors, percentiles in order")
    func openLoop() async throws {
        let server = try await LoadTestServer.start()
        defer { Task { await server.tearDown() } }
        let report = try await server.load([
            "--operator-token-file", server.operatorTokenFile.path, "--users", "10", "--mix", "status=3,health=1",
            "--rate", "400", "--connections", "2", "--duration", "1s", "--output", "json", "--quiet",
        ])
        try Self.checkSane(report)
        #expect(report["mode"] as? String == "open")
        let calls = try #require(report["calls"] as? Int)
        // The schedule, not the replies, sets the count: 400 calls in 1 s, give or take the edges.
        #expect((380...401).contains(calls))
    }

    @Test("--max-calls bounds a run")
    func maxCalls() async throws {
        let server = try await LoadTestServer.start()
        defer { Task { await server.tearDown() } }
        let report = try await server.load(["--mix", "health", "--in-flight", "8", "--max-calls", "500", "--duration", "30s", "--output", "json", "--quiet"])
        try Self.checkSane(report)
        #expect(report["calls"] as? Int == 500)
    }

    static func checkSane(_ report: [String: Any]) throws {
        let calls = try #require(report["calls"] as? Int)
        #expect(calls > 0)
        #expect(report["failed"] as? Int == 0, "errors: \(report["errors"] ?? "")")
        let latency = try #require(report["latency_microseconds"] as? [String: Double])
        let ordered = try ["p50", "p90", "p99", "p99.9", "max"].map { try #require(latency[$0], "no \($0) in \(latency)") }
        #expect(ordered[0] > 0)
        #expect(ordered == ordered.sorted(), "percentiles out of order: \(latency)")
    }
}
