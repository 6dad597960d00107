import Foundation
import MMSClient
import Testing

extension EndToEnd {
    /// Issue 9, security: the data directory holds every tenant's data and the token hashes.
    @Suite("Data directory permissions")
    struct DataDirectoryPermissions {
        /// A fresh folder for one test; `data` is the data directory inside it (not created).
        struct Folder {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-e2e-data-\(UUID().uuidString)")
            var data: URL { root.appendingPathComponent("data") }
            var scratch: URL { root.appendingPathComponent("scratch") }
            init() throws { try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true) }
            func remove() { try? FileManager.default.removeItem(at: root) }
        }

        func mode(_ path: String) throws -> Int {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
        }

        /// Starts `mms-server` under `umask 000` through a shell, so only the server's own care
        /// keeps its files private.
        func launch(_ folder: Folder, endpoint: String) throws -> ChildProcess {
            let server = try Binaries.directory().appendingPathComponent("mms-server")
            return try ChildProcess(
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", "umask 000; exec \"$0\" \"$@\"", server.path, "--listen", endpoint, "--data-dir", folder.data.path,
                            "--hold", "0", "--threads", "1", "--log-level", "warning", "--shutdown-grace", "1s"],
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MMS_") },
                outputDirectory: folder.scratch)
        }

        func waitUntilServing(_ endpoint: String, _ child: ChildProcess) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, child.isRunning {
                if let client = try? MMSClient(endpoint: endpoint, timeout: .seconds(2)) {
                    let serving = (try? await client.health().status) == .serving
                    await client.close()
                    if serving { return }
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw Failure("mms-server did not start: \(child.errorText())")
        }

        @Test("Issue 9: under umask 000 the data directory is 0700 and every file in it 0600, -wal and -shm included")
        func privateFiles() async throws {
            let folder = try Folder()
            defer { folder.remove() }
            let endpoint = "127.0.0.1:\(try Ports.free())"
            let child = try launch(folder, endpoint: endpoint)
            try await waitUntilServing(endpoint, child)
            // A write, so that SQLite has its -wal and -shm files.
            let token = try String(contentsOf: folder.data.appendingPathComponent("operator-token"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let client = try MMSClient(endpoint: endpoint, token: token, timeout: .seconds(10))
            _ = try await client.call(AdminServiceMethods.createTenant, CreateTenantRequest(tenantId: "contoso"))
            await client.close()

            #expect(try mode(folder.data.path) == 0o700)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.data.path).sorted()
            for expected in ["mms.sqlite", "access.sqlite", "operator-token", "mms.sqlite-wal", "mms.sqlite-shm"] {
                #expect(files.contains(expected), "\(expected) missing from \(files)")
            }
            for file in files {
                let path = folder.data.appendingPathComponent(file).path
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                let fileMode = try mode(path)
                // Files 0600; a folder of the server's own (secrets) 0700.
                #expect(fileMode == (isDirectory.boolValue ? 0o700 : 0o600), "\(file) has mode \(String(fileMode, radix: 8))")
            }
            child.terminate()
            _ = await child.waitForExit(timeout: .seconds(20))
        }

        @Test("Issue 9: a data directory other users can write to is refused at start with one clear line, and nothing is written in it")
        func writableByOthersRefused() async throws {
            let folder = try Folder()
            defer { folder.remove() }
            try FileManager.default.createDirectory(at: folder.data, withIntermediateDirectories: true)
            #expect(chmod(folder.data.path, 0o777) == 0)
            let child = try launch(folder, endpoint: "127.0.0.1:\(try Ports.free())")
            let status = await child.waitForExit(timeout: .seconds(30))
            #expect(status != nil && status != 0, "mms-server must refuse to start")
            let error = child.errorText()
            #expect(error.contains(folder.data.path) && error.contains("other users") && error.contains("chmod 700"), "\(error)")
            #expect(error.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "one line: \(error)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.data.path).isEmpty, "nothing was created")
        }

        @Test("Issue 9: a data directory left readable by an earlier version (0755, files 0644) is tightened at start")
        func earlierVersionTightened() async throws {
            let folder = try Folder()
            defer { folder.remove() }
            try FileManager.default.createDirectory(at: folder.data, withIntermediateDirectories: true)
            #expect(chmod(folder.data.path, 0o755) == 0)
            let stray = folder.data.appendingPathComponent("notes.txt")
            try Data("x".utf8).write(to: stray)
            #expect(chmod(stray.path, 0o644) == 0)
            let endpoint = "127.0.0.1:\(try Ports.free())"
            let child = try launch(folder, endpoint: endpoint)
            try await waitUntilServing(endpoint, child)
            #expect(try mode(folder.data.path) == 0o700)
            #expect(try mode(stray.path) == 0o600)
            child.terminate()
            _ = await child.waitForExit(timeout: .seconds(20))
        }
    }
}
