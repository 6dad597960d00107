import Foundation
import Testing

extension EndToEnd {
    /// Issue 13 with the real binaries: `mms-server --metrics-listen` scraped by curl, the loopback
    /// rule of the option, and `mms audit list`.
    @Suite("E2E: metrics and the audit trail")
    struct MetricsAndAuditTests {
        /// Runs a program to its end and returns its exit status and output.
        static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            let output = Pipe(), error = Pipe()
            process.standardOutput = output
            process.standardError = error
            try process.run()
            let outData = output.fileHandleForReading.readDataToEndOfFile()
            let errData = error.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
        }

        static func sample(_ text: String, _ key: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(key + " ") }.flatMap { Double($0.dropFirst(key.count + 1)) }
        }

        @Test("Issue 13: mms-server --metrics-listen serves Prometheus text that curl reads; mms health calls are counted")
        func scrapedByCurl() async throws {
            let port = try Ports.free()
            let server = try await ServerProcess.start(ServerProcess.Settings(extra: ["--metrics-listen", "127.0.0.1:\(port)"]))
            defer { server.kill() }
            let key = "mms_rpc_calls_total{service=\"mms.v1.Health\",method=\"Check\",code=\"OK\"}"
            let before = try Self.run("/usr/bin/curl", ["-sS", "--fail", "http://127.0.0.1:\(port)/metrics"])
            #expect(before.status == 0, "\(before.error)")
            let start = try #require(Self.sample(before.output, key), "\(before.output)")
            for _ in 0..<3 { #expect(try await server.mms(["health"], token: nil).exitCode == 0) }
            let after = try Self.run("/usr/bin/curl", ["-sS", "--fail", "http://127.0.0.1:\(port)/metrics"])
            #expect(Self.sample(after.output, key) == start + 3, "\(after.output)")
            #expect(Self.sample(after.output, "mms_migrations{state=\"pending\"}") == 0)
            #expect(!after.output.contains(server.operatorToken))
            try await server.stop()
        }

        @Test("Issue 13: a --metrics-listen address that is not loopback is refused unless --metrics-listen-any; exit 64, one line")
        func loopbackOnly() throws {
            let binary = try Binaries.directory().appendingPathComponent("mms-server").path
            let data = FileManager.default.temporaryDirectory.appendingPathComponent("mms-e2e-metrics-\(UUID().uuidString)").path
            let refused = try Self.run(binary, ["--data-dir", data, "--metrics-listen", "0.0.0.0:9464"])
            #expect(refused.status == 64)
            #expect(refused.error.contains("--metrics-listen 0.0.0.0:9464 is not a loopback address") && refused.error.contains("--metrics-listen-any"),
                    "\(refused.error)")
            #expect(!FileManager.default.fileExists(atPath: data), "nothing is created")
            let bad = try Self.run(binary, ["--data-dir", data, "--metrics-listen", "nowhere"])
            #expect(bad.status == 64 && bad.error.contains("--metrics-listen"), "\(bad.error)")
        }

        @Test("Issue 13, R8: mms audit list shows the admin's changes, refusals included, filtered by identity, as a table and as JSON")
        func auditList() async throws {
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let ann = try await tenant.createUser("ann")
            let refused = try await tenant.mms(["user", "move", "--identity", ann, "--to", "on-premises"])
            #expect(refused.exitCode == 3)
            let document = try await tenant.json(["audit", "list", "--identity", ann])
            let records = document["records"].array
            #expect(records.map { $0["call"].string ?? "" } == ["MoveUser", "CreateUser"], "\(document)")
            #expect(records.first?["outcome"].string == "REFUSED")
            #expect(records.last?["outcome"].string == "OK" && records.last?["role"].string != nil)
            let table = try await tenant.mms(["audit", "list"])
            #expect(table.exitCode == 0 && table.output.hasPrefix("Time") && table.output.contains("CreateUser"), "\(table)")
            let reader = try await tenant.mms(["audit", "list"], token: tenant.readerToken)
            #expect(reader.exitCode == 1 && reader.standardError.contains("PERMISSION_DENIED"), "\(reader)")
        }
    }
}
