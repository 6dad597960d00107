import Foundation
import Testing

extension EndToEnd {
    /// Issue 13, "Small things users expect": `mms-server --log-format json`.
    @Suite("Server log as JSON lines")
    struct LogFormat {
        @Test("Issue 13: --log-format json writes one JSON object per line, a call's method, status and duration among them, and no secret (R6)")
        func jsonLines() async throws {
            var settings = ServerProcess.Settings()
            settings.extra = ["--log-format", "json"]
            settings.logLevel = "debug"
            let server = try await ServerProcess.start(settings)
            defer { Task { await server.tearDown() } }

            #expect(try await server.mms(["health"], token: nil).exitCode == 0)
            #expect(try await server.mms(["whoami"], token: nil).exitCode == 1)
            #expect(try await server.mms(["tenant", "create", "--tenant-id", "logs", "--display-name", "Logs"], token: server.operatorToken).exitCode == 0)
            let created = try await server.mms(
                ["token", "create", "--tenant-id", "logs", "--role", "admin", "--description", "log test", "--secret-only"], token: server.operatorToken)
            let secret = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(created.exitCode == 0 && !secret.isEmpty, "\(created)")
            #expect(try await server.mms(["whoami"], token: secret).exitCode == 0)
            try await server.stop()

            let log = server.log()
            let lines = log.split(separator: "\n", omittingEmptySubsequences: true)
            #expect(lines.count >= 5, "\(log)")
            var entries: [JSON] = []
            for line in lines {
                let entry = try JSON.parse(String(line))
                #expect(entry.keys.isSuperset(of: ["timestamp", "level", "label", "message"]), "\(line)")
                let timestamp = entry["timestamp"].string ?? ""
                #expect(timestamp.count == 27 && timestamp.hasSuffix("Z") && timestamp.dropFirst(10).hasPrefix("T"), "\(line)")
                entries.append(entry)
            }
            func call(_ method: String, _ status: String) -> JSON? {
                entries.first { $0["message"].string == "call" && $0["method"].string == method && $0["status"].string == status }
            }
            let health = try #require(call("mms.v1.Health/Check", "OK"), "\(log)")
            guard case .number(let milliseconds) = health["duration_ms"] else {
                Issue.record("duration_ms is not a number: \(health)")
                return
            }
            #expect(milliseconds >= 0 && milliseconds < 10_000)
            #expect(health["level"].string == "debug")
            #expect(call("mms.v1.AdminService/WhoAmI", "UNAUTHENTICATED") != nil, "\(log)")
            #expect(call("mms.v1.AdminService/CreateToken", "OK") != nil, "\(log)")
            #expect(call("mms.v1.AdminService/WhoAmI", "OK") != nil, "\(log)")
            let port = String(server.endpoint.split(separator: ":").last ?? "")
            #expect(entries.contains { $0["message"].string == "listening" && $0["address"].string?.hasSuffix(":\(port)") == true }, "\(log)")

            #expect(!log.contains(server.operatorToken), "the operator token is never logged")
            #expect(!log.contains(secret), "a created token's secret is never logged")
        }

        @Test("Issue 13: --log-format other than text or json is a usage error naming the flag")
        func badFormat() async throws {
            let child = try ChildProcess(
                executable: try Binaries.directory().appendingPathComponent("mms-server"), arguments: ["--log-format", "xml"],
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MMS_") },
                outputDirectory: FileManager.default.temporaryDirectory)
            let status = await child.waitForExit(timeout: .seconds(20))
            #expect(status == 64)
            #expect(child.errorText().contains("--log-format \"xml\" is not text or json"), "\(child.errorText())")
        }
    }
}
