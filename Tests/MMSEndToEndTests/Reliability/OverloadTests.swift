import Foundation
import MMSClient
import Synchronization
import Testing

extension Reliability {
    /// Hostile load on one server while a separate well-behaved client keeps calling Health and
    /// GetMigrationStatus. CI asserts survival and correctness only (every probe call answered,
    /// the server alive, its descriptors back to idle); the latencies are printed
    /// (`RELIABILITY {...}` lines) and written down in docs/RELIABILITY.md, never asserted.
    @Suite("Overload")
    struct Overload {
        /// The server and the well-behaved client of one test.
        struct Bench {
            let server: ServerProcess
            let tenant: APITenant
            let port: Int
            let limit: Int
            let callsPerConnection: Int
            let probeIdentity: String

            static func start() async throws -> Bench {
                let limit = Knobs.int("MMS_OVERLOAD_CONNECTIONS", 128)
                let calls = Knobs.int("MMS_OVERLOAD_CALLS_PER_CONNECTION", 64)
                let server = try await ServerProcess.start(ServerProcess.Settings(hold: "24h", extra: [
                    "--max-connections", String(limit), "--max-calls-per-connection", String(calls), "--threads", "2",
                ]))
                let tenant = try await APITenant.make(on: server, name: "overload")
                try await tenant.createUsers(1)
                _ = try await tenant.admin.startMeetingMigration(StartMeetingMigrationRequest(identity: tenant.identity(0)))
                let port = Int(server.endpoint.split(separator: ":").last!)!
                return Bench(server: server, tenant: tenant, port: port, limit: limit, callsPerConnection: calls, probeIdentity: tenant.identity(0))
            }

            /// Runs `attack` while the probe calls Health and GetMigrationStatus in turn; then waits
            /// for the server's descriptors to come back to what they were before.
            @discardableResult
            func during(_ name: String, seconds: Double, _ attack: @escaping @Sendable (_ stop: Flag) -> [String: any Sendable]) async throws -> [String: any Sendable] {
                let pid = server.processIdentifier
                // The probe's connection is opened before the attack (a full server refuses new ones).
                let probe = try tenant.client(on: server, timeout: .seconds(10))
                // Warm up first (the store opens its read connections on first use), so "idle" is idle.
                let identity = probeIdentity
                try await Parallel.forEach(0..<32, concurrency: 8) { _ in
                    _ = try await probe.health()
                    _ = try await probe.migrationStatus(GetMigrationStatusRequest(identity: identity))
                }
                try await Task.sleep(for: .milliseconds(300))
                let idleFiles = ProcessProbe.openFiles(pid)
                let idleSockets = ProcessProbe.openSockets(pid)
                let idleKiB = ProcessProbe.residentKiB(pid)
                let health = Latencies(), status = Latencies()
                let stop = Flag()
                let attackResult = Shared<[String: any Sendable]>([:])
                let attackDone = Flag()
                // The attack blocks on sockets: a thread of its own, not one of Swift's few cooperative ones.
                let attacker = Thread {
                    let result = attack(stop)
                    attackResult.current = result
                    attackDone.set()
                }
                attacker.start()
                let began = ContinuousClock.now
                var peakFiles = idleFiles, peakKiB = idleKiB
                while ContinuousClock.now - began < .seconds(seconds) {
                    let start = ContinuousClock.now
                    do {
                        _ = try await probe.health()
                        health.add(Int((ContinuousClock.now - start) / .microseconds(1)))
                    } catch { health.fail("\(error)") }
                    let next = ContinuousClock.now
                    do {
                        let records = try await probe.migrationStatus(GetMigrationStatusRequest(identity: identity)).records
                        if records.count != 1 { status.fail("records: \(records.count)") }
                        status.add(Int((ContinuousClock.now - next) / .microseconds(1)))
                    } catch { status.fail("\(error)") }
                    peakFiles = max(peakFiles, ProcessProbe.openFiles(pid))
                    peakKiB = max(peakKiB, ProcessProbe.residentKiB(pid))
                    try await Task.sleep(for: .milliseconds(5))
                }
                stop.set()
                let stopped = ContinuousClock.now
                while !attackDone.isSet, ContinuousClock.now - stopped < .seconds(30) {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(attackDone.isSet, "\(name): the attack did not stop")
                // Back to idle: descriptors as before (give the server a few seconds to see the closes).
                var sockets = ProcessProbe.openSockets(pid)
                let settle = ContinuousClock.now
                while sockets > idleSockets + 2, ContinuousClock.now - settle < .seconds(15) {
                    try await Task.sleep(for: .milliseconds(100))
                    sockets = ProcessProbe.openSockets(pid)
                }
                let files = ProcessProbe.openFiles(pid)
                let afterKiB = ProcessProbe.residentKiB(pid)
                let stillServing = (try? await probe.health().status) == .serving
                await probe.close()
                #expect(ProcessProbe.alive(pid), "\(name): the server died:\n\(server.log().suffix(2000))")
                #expect(stillServing, "\(name): the probe's connection no longer serves")
                #expect(health.errors.isEmpty && status.errors.isEmpty,
                        "\(name): probe calls failed: \(health.errors.prefix(3)) \(status.errors.prefix(3))")
                #expect(health.count > 0 && status.count > 0, "\(name): the probe made no call")
                #expect(sockets <= idleSockets + 2, "\(name): \(sockets) sockets open after the attack, \(idleSockets) before")
                // Memory: allocators keep some of what they took, so only a leak-sized growth fails.
                #expect(afterKiB < idleKiB + 256 * 1024, "\(name): resident memory \(afterKiB) KiB after, \(idleKiB) KiB before")
                var fields: [String: any Sendable] = [
                    "scenario": name, "seconds": seconds, "probe_calls": health.count + status.count,
                    "health_p50_us": health.percentile(50), "health_p99_us": health.percentile(99), "health_max_us": health.maximum,
                    "status_p50_us": status.percentile(50), "status_p99_us": status.percentile(99), "status_max_us": status.maximum,
                    "idle_fds": idleFiles, "peak_fds": peakFiles, "after_fds": files,
                    "idle_rss_kib": idleKiB, "peak_rss_kib": peakKiB, "after_rss_kib": afterKiB,
                ]
                for (key, value) in attackResult.current { fields[key] = value }
                Knobs.report("overload", fields)
                return attackResult.current
            }

            func tearDown() async { await server.tearDown() }
        }

        static var seconds: Double { Double(Knobs.int("MMS_OVERLOAD_MILLISECONDS", 2_000)) / 1000 }

        @Test("Issue 14: idle connections up to the limit; the next ones are refused with GOAWAY RESOURCE_EXHAUSTED; the probe is served throughout")
        func idleConnections() async throws {
            let bench = try await Bench.start()
            let port = bench.port, limit = bench.limit
            let result = try await bench.during("idle-connections", seconds: Self.seconds) { stop in
                // Connect until the server refuses (the probe and the admin client hold connections
                // too), each time reading its answer: SETTINGS (admitted) or GOAWAY RESOURCE_EXHAUSTED (4).
                func answer(_ connection: RawConnection) -> Bool? {
                    let (frames, closed) = connection.readFrames(timeout: 5) { $0.contains { $0.type == RawFrames.goAway || $0.type == 0x01 } }
                    if frames.contains(where: { $0.type == RawFrames.goAway && Array($0.payload.prefix(4)) == [0, 0, 0, 4] }) { return false }
                    if frames.contains(where: { $0.type == 0x01 }) && !closed { return true }
                    return nil
                }
                var open: [RawConnection] = []
                var refused = 0, admittedAfterRefusal = 0, unanswered = 0
                while open.count <= limit, refused == 0 {
                    guard let connection = RawConnection(port: port) else { unanswered += 1; break }
                    connection.send(RawFrames.preface)
                    switch answer(connection) {
                    case true?: open.append(connection)
                    case false?: refused += 1
                    case nil: unanswered += 1
                    }
                }
                // At the limit: every further connection is refused while the others stay open.
                for _ in 0..<10 {
                    guard let connection = RawConnection(port: port) else { unanswered += 1; continue }
                    connection.send(RawFrames.preface)
                    switch answer(connection) {
                    case true?: admittedAfterRefusal += 1; open.append(connection)
                    case false?: refused += 1
                    case nil: unanswered += 1
                    }
                }
                while !stop.isSet { usleep(10_000) }
                for connection in open { connection.close() }
                return ["held": open.count, "refused_over_limit": refused, "admitted_after_refusal": admittedAfterRefusal, "unanswered": unanswered]
            }
            #expect((result["held"] as? Int ?? 0) >= limit - 4 && (result["held"] as? Int ?? 0) <= limit, "held up to the limit: \(result)")
            #expect(result["refused_over_limit"] as? Int == 11 && result["admitted_after_refusal"] as? Int == 0 && result["unanswered"] as? Int == 0,
                    "over the limit, every connection refused with GOAWAY RESOURCE_EXHAUSTED: \(result)")
            await bench.tearDown()
        }

        @Test("Issue 14: slowloris: connections that send a frame one byte at a time are held without harm to other clients")
        func slowloris() async throws {
            let bench = try await Bench.start()
            let port = bench.port, limit = bench.limit
            let result = try await bench.during("slowloris", seconds: Self.seconds) { stop in
                let count = limit / 2
                var connections: [RawConnection] = []
                for _ in 0..<count {
                    guard let connection = RawConnection(port: port) else { break }
                    connections.append(connection)
                }
                // Half of them dribble the preface, half a REQUEST frame's header and payload.
                let frame = RawFrames.call(1, "mms.v1.Health/Check", token: nil, message: [])
                var sentBytes = 0
                var position = 0
                while !stop.isSet {
                    for (index, connection) in connections.enumerated() {
                        let bytes = index % 2 == 0 ? RawFrames.preface : RawFrames.preface + frame
                        if position < bytes.count - 1, connection.send([bytes[position]]) { sentBytes += 1 }
                    }
                    position += 1
                    usleep(50_000)
                }
                for connection in connections { connection.close() }
                return ["slow_connections": connections.count, "bytes_dribbled": sentBytes]
            }
            #expect(result["slow_connections"] as? Int == limit / 2, "\(result)")
            await bench.tearDown()
        }

        @Test("Issue 14: a ping flood on one connection (PONGs never read) is absorbed; the probe is served")
        func pingFlood() async throws {
            let bench = try await Bench.start()
            let port = bench.port
            let result = try await bench.during("ping-flood", seconds: Self.seconds) { stop in
                guard let connection = RawConnection(port: port, sendTimeout: 0.2) else { return ["error": "no connection"] }
                connection.send(RawFrames.preface)
                var batch: [UInt8] = []
                for index in 0..<1_000 { batch += RawFrames.ping(UInt64(index)) }
                var pings = 0, stalls = 0
                while !stop.isSet {
                    // A send that times out: the server stopped reading because we do not read its PONGs.
                    if connection.send(batch) { pings += 1_000 } else { stalls += 1 }
                }
                connection.close()
                return ["pings_sent": pings, "send_stalls": stalls]
            }
            #expect((result["pings_sent"] as? Int ?? 0) > 0, "\(result)")
            await bench.tearDown()
        }

        @Test("Issue 14: a call flood over the per-connection limit: the calls over it end RESOURCE_EXHAUSTED, the others OK, the connection stays open")
        func callFlood() async throws {
            let bench = try await Bench.start()
            let port = bench.port, perConnection = bench.callsPerConnection
            let token = bench.tenant.adminToken, identity = bench.probeIdentity
            let result = try await bench.during("call-flood", seconds: Self.seconds) { stop in
                var codes: [Int: Int] = [:]
                var rounds = 0, unanswered = 0, closed = 0
                // GetMigrationStatus {identity}: field 1, a string.
                let message = [0x0A, UInt8(identity.utf8.count)] + Array(identity.utf8)
                while !stop.isSet {
                    guard let connection = RawConnection(port: port) else { closed += 1; continue }
                    let calls = perConnection * 4
                    var bytes = RawFrames.preface
                    for id in 1...calls {
                        bytes += RawFrames.call(UInt32(id), id % 2 == 0 ? "mms.v1.Health/Check" : "mms.v1.MigrationService/GetMigrationStatus",
                                                token: token, message: id % 2 == 0 ? [] : message)
                    }
                    connection.send(bytes)
                    let (frames, wasClosed) = connection.readFrames(timeout: 10) { RawFrames.endings($0).count >= calls }
                    let endings = RawFrames.endings(frames)
                    for ending in endings.values { codes[ending.code, default: 0] += 1 }
                    unanswered += calls - endings.count
                    if wasClosed { closed += 1 }
                    connection.close()
                    rounds += 1
                }
                return ["rounds": rounds, "ok": codes[0] ?? 0, "resource_exhausted": codes[8] ?? 0,
                        "other_codes": codes.filter { $0.key != 0 && $0.key != 8 }.map { "\($0.key)×\($0.value)" }.sorted(),
                        "unanswered": unanswered, "closed_by_server": closed]
            }
            #expect((result["ok"] as? Int ?? 0) > 0 && (result["resource_exhausted"] as? Int ?? 0) > 0, "\(result)")
            #expect(result["unanswered"] as? Int == 0 && result["closed_by_server"] as? Int == 0 && (result["other_codes"] as? [String])?.isEmpty == true,
                    "every call answered OK or RESOURCE_EXHAUSTED, no connection closed: \(result)")
            await bench.tearDown()
        }

        @Test("Issue 14: a flood of new connections (connect, preface, close) as fast as this client can; the probe is served")
        func connectionFlood() async throws {
            let bench = try await Bench.start()
            let port = bench.port
            let result = try await bench.during("connection-flood", seconds: Self.seconds) { stop in
                let made = Counter(), failed = Counter()
                let began = Date()
                DispatchQueue.concurrentPerform(iterations: 4) { _ in
                    while !stop.isSet {
                        if let connection = RawConnection(port: port) {
                            connection.send(RawFrames.preface)
                            connection.close()
                            made.increment()
                        } else {
                            failed.increment()
                        }
                    }
                }
                let elapsed = Date().timeIntervalSince(began)
                return ["connections": made.current, "connect_failures": failed.current,
                        "connections_per_second": Int(Double(made.current) / elapsed)]
            }
            #expect((result["connections"] as? Int ?? 0) > 0 && result["connect_failures"] as? Int == 0, "\(result)")
            await bench.tearDown()
        }
    }
}
