import Foundation
import Testing

extension Reliability {
    /// A corrupt or foreign data file at start-up: a clear refusal naming the file, never recreated.
    @Suite("Corrupt or foreign data files at start-up")
    struct StartupRefusal {
        /// Starts `mms-server` on `data` and expects it to exit non-zero with one line naming `file`.
        /// Returns the line; checks that no file in `data` changed (bytes and names).
        func expectRefusal(_ data: URL, naming file: String, saying words: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
            let before = try Self.snapshot(data)
            let scratch = data.deletingLastPathComponent().appendingPathComponent("scratch")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let child = try ChildProcess(
                executable: try Binaries.directory().appendingPathComponent("mms-server"),
                arguments: ["--listen", "127.0.0.1:\(try Ports.free())", "--data-dir", data.path, "--log-level", "warning"],
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MMS_") }, outputDirectory: scratch)
            let status = await child.waitForExit(timeout: .seconds(30))
            if status == nil { child.kill() }
            let error = child.errorText().trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(status != nil && status != 0, "mms-server must refuse to start: \(error)", sourceLocation: sourceLocation)
            #expect(error.contains(data.appendingPathComponent(file).path), "the refusal names the file: \(error)", sourceLocation: sourceLocation)
            for word in words { #expect(error.contains(word), "\(word): \(error)", sourceLocation: sourceLocation) }
            #expect(error.split(separator: "\n").count == 1, "one line: \(error)", sourceLocation: sourceLocation)
            #expect(try Self.snapshot(data) == before, "nothing in the data directory changed", sourceLocation: sourceLocation)
            print("RELIABILITY-REFUSAL \(error)")
            return error
        }

        /// Every file of `folder` with its bytes (SQLite's own -wal and -shm aside: opening a
        /// database to read it may create them).
        static func snapshot(_ folder: URL) throws -> [String: Data] {
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where !name.hasSuffix("-wal") && !name.hasSuffix("-shm") {
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory)
                files[name] = isDirectory.boolValue ? Data("<folder>".utf8) : try Data(contentsOf: folder.appendingPathComponent(name))
            }
            return files
        }

        /// A data directory a real server used (one tenant written), then stopped.
        func usedDataDirectory() async throws -> (data: URL, root: URL) {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-startup-\(UUID().uuidString)")
            let data = root.appendingPathComponent("data")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let server = try await ServerProcess.start(dataDirectory: data)
            _ = try await APITenant.make(on: server, name: "used")
            try await server.stop()
            return (data, root)
        }

        static func freshFolder() throws -> (data: URL, root: URL) {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-startup-\(UUID().uuidString)")
            let data = root.appendingPathComponent("data")
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            #expect(chmod(data.path, 0o700) == 0)
            return (data, root)
        }

        @Test("Issue 14: a data file that is not SQLite (random bytes) is refused, named, and left as it was")
        func notSQLite() async throws {
            let (data, root) = try Self.freshFolder()
            defer { try? FileManager.default.removeItem(at: root) }
            let garbage = Data((0..<8192).map { _ in UInt8.random(in: 0...255) })
            try garbage.write(to: data.appendingPathComponent("mms.sqlite"))
            _ = try await expectRefusal(data, naming: "mms.sqlite", saying: ["not an SQLite database"])
            #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("access.sqlite").path), "no other file was created")
        }

        @Test("Issue 14: another program's SQLite database in place of mms.sqlite is refused, not adopted")
        func foreignSQLite() async throws {
            let (data, root) = try Self.freshFolder()
            defer { try? FileManager.default.removeItem(at: root) }
            let path = data.appendingPathComponent("mms.sqlite").path
            let make = Process()
            make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            make.arguments = ["python3", "-c", """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                db.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
                db.execute("INSERT INTO moz_places (url) VALUES ('https://example.com/')")
                db.commit()
                """, path]
            try make.run()
            make.waitUntilExit()
            #expect(make.terminationStatus == 0)
            _ = try await expectRefusal(data, naming: "mms.sqlite", saying: ["another program", "moz_places"])
        }

        @Test("Issue 14: a used mms.sqlite damaged past its first page (truncated, then overwritten) is refused and named")
        func damagedStore() async throws {
            let (data, root) = try await usedDataDirectory()
            defer { try? FileManager.default.removeItem(at: root) }
            let file = data.appendingPathComponent("mms.sqlite")
            // Everything into the main file first (the stopped server may leave its WAL).
            _ = try SQLiteProbe.python(file.path, "db.close()\ndb = sqlite3.connect(sys.argv[1])\ndb.execute('PRAGMA wal_checkpoint(TRUNCATE)')\ndb.close()")
            var bytes = try Data(contentsOf: file)
            #expect(bytes.count > 8192)
            // Keep the header page, overwrite every other page with garbage.
            for index in 4096..<bytes.count { bytes[index] = UInt8.random(in: 0...255) }
            try bytes.write(to: file)
            _ = try await expectRefusal(data, naming: "mms.sqlite", saying: ["restore it from a backup"])
        }

        @Test("Issue 14: mms.sqlite deleted from a data directory in use is refused, never recreated empty")
        func missingStore() async throws {
            let (data, root) = try await usedDataDirectory()
            defer { try? FileManager.default.removeItem(at: root) }
            for name in ["mms.sqlite", "mms.sqlite-wal", "mms.sqlite-shm"] {
                try? FileManager.default.removeItem(at: data.appendingPathComponent(name))
            }
            _ = try await expectRefusal(data, naming: "mms.sqlite", saying: ["missing", "access.sqlite"])
            #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("mms.sqlite").path))
        }

        @Test("Issue 14: an access.sqlite that is not SQLite is refused and named, mms.sqlite untouched")
        func corruptAccessStore() async throws {
            let (data, root) = try await usedDataDirectory()
            defer { try? FileManager.default.removeItem(at: root) }
            try Data("this is not a database\n".utf8).write(to: data.appendingPathComponent("access.sqlite"))
            _ = try await expectRefusal(data, naming: "access.sqlite", saying: ["not an SQLite database"])
        }
    }
}
