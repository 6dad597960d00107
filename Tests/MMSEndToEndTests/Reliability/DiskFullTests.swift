import Foundation
import MMSClient
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension Reliability {
    /// The data directory on a small tmpfs, filled up while the server runs.
    @Suite("Disk full")
    struct DiskFull {
        /// A tmpfs of `megabytes` MiB, mounted as root or with `sudo -n` (both are what CI's
        /// install-deps uses for apt-get).
        struct SmallFilesystem {
            let mountPoint: URL

            init(megabytes: Int) throws {
                mountPoint = URL(fileURLWithPath: "/tmp/mms-disk-full-\(UUID().uuidString.prefix(8))")
                try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
                let arguments = ["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0700", "tmpfs", mountPoint.path]
                let output = try Self.run(geteuid() == 0 ? ["mount"] + arguments : ["sudo", "-n", "mount"] + arguments)
                guard output.status == 0 else {
                    try? FileManager.default.removeItem(at: mountPoint)
                    throw Failure("this machine does not let the test mount a tmpfs (mount \(arguments.joined(separator: " ")): \(output.error)); "
                                  + "the disk-full test needs root or passwordless sudo (docs/RELIABILITY.md, Disk full)")
                }
            }

            func unmount() {
                _ = try? Self.run(geteuid() == 0 ? ["umount", "-l", mountPoint.path] : ["sudo", "-n", "umount", "-l", mountPoint.path])
                try? FileManager.default.removeItem(at: mountPoint)
            }

            /// Writes a file of zeros until the filesystem refuses (ENOSPC); returns the bytes written.
            func fill(_ name: String) -> Int {
                let fd = open(mountPoint.appendingPathComponent(name).path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
                guard fd >= 0 else { return 0 }
                defer { close(fd) }
                let chunk = [UInt8](repeating: 0, count: 4096)
                var total = 0
                while true {
                    let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    if written <= 0 { return total }
                    total += written
                }
            }

            static func run(_ command: [String]) throws -> (status: Int32, error: String) {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = command
                let error = Pipe()
                process.standardError = error
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                let data = error.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return (process.terminationStatus, String(decoding: data, as: UTF8.self))
            }
        }

        @Test("Durability: on a full disk writes fail RESOURCE_EXHAUSTED or UNAVAILABLE, nothing acknowledged is lost, and after space is freed the same process goes on")
        func diskFull() async throws {
            let disk = try SmallFilesystem(megabytes: 8)
            defer { disk.unmount() }
            let data = disk.mountPoint.appendingPathComponent("data")
            let server = try await ServerProcess.start(ServerProcess.Settings(hold: "24h"), dataDirectory: data)
            defer { Task { await server.tearDown() } }
            let pid = server.processIdentifier
            let tenant = try await APITenant.make(on: server, name: "full")
            let client = tenant.admin

            var acknowledged: [String: String] = [:]  // identity → correlation id
            var failures: [RPCError] = []
            var next = 0
            /// Creates one user and queues its migration; returns the status code of the first failure.
            func write() async -> StatusCode? {
                let identity = tenant.identity(next)
                do {
                    _ = try await client.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(
                        userPrincipalName: identity, homing: .online, mailbox: .online)))
                    next += 1
                    let response = try await client.startMeetingMigration(StartMeetingMigrationRequest(identity: identity))
                    acknowledged[identity] = response.correlationId
                    return nil
                } catch {
                    failures.append(error)
                    return error.code
                }
            }
            for _ in 0..<200 { #expect(await write() == nil) }

            // Fill the filesystem, then keep writing until the server refuses.
            let filled = disk.fill("filler")
            #expect(filled > 0)
            var refusedAt: Int?
            for attempt in 0..<5_000 {
                if await write() != nil { refusedAt = attempt; break }
            }
            #expect(refusedAt != nil, "the server accepted 5,000 writes on a full 8 MiB filesystem")
            // Further writes while full: all refused the same way.
            for _ in 0..<20 { _ = await write() }
            let codes = Set(failures.map(\.code))
            #expect(!failures.isEmpty && codes.isSubset(of: [.resourceExhausted, .unavailable]), "codes while full: \(failures.prefix(5))")
            #expect(failures.allSatisfy { $0.code != .resourceExhausted || $0.message.contains("disk is full") }, "\(failures.prefix(3))")
            // Reads go on while full.
            #expect(try await client.health().status == .serving)
            if let some = acknowledged.keys.first {
                let records = try await client.migrationStatus(GetMigrationStatusRequest(identity: some)).records
                #expect(records.first?.correlationId == acknowledged[some])
            }
            #expect(ProcessProbe.alive(pid), "the server died on a full disk:\n\(server.log().suffix(2000))")
            let refusedWhileFull = failures.count

            // Free the space: the same process accepts writes again (allow it a few seconds).
            try FileManager.default.removeItem(at: disk.mountPoint.appendingPathComponent("filler"))
            let freedAt = ContinuousClock.now
            var recovered: Duration?
            while ContinuousClock.now - freedAt < .seconds(15) {
                if await write() == nil { recovered = ContinuousClock.now - freedAt; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(recovered != nil, "no write succeeded within 15 s of freeing space: \(failures.suffix(3))")
            let failuresBefore = failures.count
            for _ in 0..<100 { _ = await write() }
            #expect(failures.count == failuresBefore, "writes failed after space was freed: \(failures.suffix(3))")
            #expect(server.processIdentifier == pid && ProcessProbe.alive(pid), "the server was not restarted")

            // Every acknowledged write is there, and still there after a kill -9 and a restart.
            func lost() async throws -> [String] {
                let reader = try tenant.client(on: server)
                defer { Task { await reader.close() } }
                var missing: [String] = []
                for (identity, correlationId) in acknowledged {
                    let records = try await reader.migrationStatus(GetMigrationStatusRequest(identity: identity)).records
                    if !records.contains(where: { $0.correlationId == correlationId }) { missing.append(identity) }
                }
                return missing
            }
            #expect(try await lost().isEmpty)
            server.kill()
            try await server.restart()
            let lostAfterRestart = try await lost()
            #expect(lostAfterRestart.isEmpty, "acknowledged and lost: \(lostAfterRestart.prefix(5))")
            Knobs.report("disk-full", [
                "filesystem_mib": 8, "filler_bytes": filled, "acknowledged": acknowledged.count, "refused_while_full": refusedWhileFull,
                "codes": codes.map(\.name).sorted(), "first_refusal": failures.first.map(\.message) ?? "",
                "recovered_ms": recovered.map { Int($0 / .milliseconds(1)) } ?? -1, "lost": lostAfterRestart.count,
            ])
            await server.tearDown()
        }
    }
}
