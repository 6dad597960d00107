import Foundation
import MMSClient
import Synchronization
import Testing

/// Issue 14: crashes, faults, overload and bad input, against the real `mms-server` on loopback.
/// One after the other (each test starts its own servers, several of them load the machine).
@Suite("Reliability (issue 14)", .serialized)
struct Reliability {}

extension Reliability {
    /// kill -9 of `mms-server` in the middle of a burst of StartMeetingMigration calls.
    @Suite("kill -9 during a burst")
    struct KillDuringBurst {
        /// Identity → correlation id of every acknowledged call.
        final class Acknowledged: Sendable {
            private let map = Mutex<[String: String]>([:])
            func record(_ identity: String, _ correlationId: String) { map.withLock { $0[identity] = correlationId } }
            var count: Int { map.withLock { $0.count } }
            var all: [String: String] { map.withLock { $0 } }
        }

        @Test("M1, durability: every StartMeetingMigration acknowledged before a kill -9 is there after the restart (256 callers)")
        func killDuringBurst() async throws {
            // CI: one round of 2,000; Benchmarks/reliability burst: 20 rounds of 10,000.
            let rounds = Knobs.int("MMS_BURST_ROUNDS", 1)
            let requests = Knobs.int("MMS_BURST_REQUESTS", 2_000)
            let callers = Knobs.int("MMS_BURST_CALLERS", 256)
            for round in 1...rounds {
                try await self.round(round, requests: requests, callers: callers)
            }
        }

        func round(_ round: Int, requests: Int, callers: Int) async throws {
            // A long hold: the queued migrations stay Pending, so each acknowledged call is one row to find.
            let server = try await ServerProcess.start(ServerProcess.Settings(hold: "24h", extra: ["--threads", "2"]))
            defer { Task { await server.tearDown() } }
            let tenant = try await APITenant.make(on: server, name: "burst")
            try await tenant.createUsers(requests, concurrency: 128)

            // Kill once a random share (10 % … 90 %) of the calls has been acknowledged.
            let killAfter = Int.random(in: (requests / 10)...(requests * 9 / 10))
            let acknowledged = Acknowledged()
            let failed = Counter()
            let next = Counter()
            // 256 callers multiplexed over 8 connections (32 calls in flight on each).
            let connections = 8
            let clients = try (0..<connections).map { _ in try tenant.client(on: server, timeout: .seconds(10)) }
            let started = ContinuousClock.now
            let killed = Shared<ContinuousClock.Instant?>(nil)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for caller in 0..<callers {
                    let client = clients[caller % connections]
                    group.addTask {
                        while true {
                            let index = next.increment() - 1
                            guard index < requests else { return }
                            let identity = tenant.identity(index)
                            do {
                                let response = try await client.startMeetingMigration(
                                    StartMeetingMigrationRequest(identity: identity, sourceMeetingType: .all, targetMeetingType: .teams))
                                guard response.queued, !response.correlationId.isEmpty else {
                                    throw Failure("acknowledged but not queued: \(identity) \(response.reason)")
                                }
                                acknowledged.record(identity, response.correlationId)
                            } catch let error as RPCError {
                                // After the kill every call fails; none may fail before it.
                                failed.increment()
                                if killed.current == nil { throw Failure("\(identity) failed before the kill: \(error)") }
                                return
                            }
                        }
                    }
                }
                group.addTask {
                    while acknowledged.count < killAfter { try await Task.sleep(for: .milliseconds(1)) }
                    killed.current = .now
                    server.kill()
                }
                try await group.waitForAll()
            }
            for client in clients { await client.close() }
            let killedAt = try #require(killed.current)
            let acknowledgedAtKill = acknowledged.all
            #expect(acknowledgedAtKill.count >= killAfter && acknowledgedAtKill.count < requests,
                    "the kill landed in the burst: \(acknowledgedAtKill.count) of \(requests) acknowledged")

            let restartBegan = ContinuousClock.now
            try await server.restart()
            let restart = ContinuousClock.now - restartBegan

            // Every acknowledged call is a Pending migration with the correlation id it was given.
            let reader = try tenant.client(on: server)
            let lost = Counter()
            let identities = Array(acknowledgedAtKill.keys)
            let lostExamples = Shared<[String]>([])
            try await Parallel.forEach(0..<identities.count, concurrency: 64) { index in
                let identity = identities[index]
                let records = try await reader.migrationStatus(GetMigrationStatusRequest(identity: identity)).records
                let pending = records.filter { $0.state == .pending }
                if pending.count != 1 || pending[0].correlationId != acknowledgedAtKill[identity] {
                    lost.increment()
                    if lostExamples.current.count < 5 { lostExamples.current.append("\(identity): \(records)") }
                }
            }
            // Calls in flight at the kill may or may not have committed: count those that did.
            let summary = try await reader.migrationStatus(GetMigrationStatusRequest(summaryOnly: true)).summary
            let pendingUsers = Int(summary.first { $0.state == .pending }?.userCount ?? 0)
            await reader.close()
            #expect(lost.current == 0, "acknowledged and lost: \(lost.current), e.g. \(lostExamples.current)")
            #expect(pendingUsers >= acknowledgedAtKill.count && pendingUsers <= requests)
            Knobs.report("burst", [
                "round": round, "requests": requests, "callers": callers, "acknowledged": acknowledgedAtKill.count,
                "lost": lost.current, "committed_unacknowledged": pendingUsers - acknowledgedAtKill.count,
                "failed_after_kill": failed.current,
                "kill_after_ms": Int((killedAt - started) / .milliseconds(1)),
                "restart_ms": Int(restart / .milliseconds(1)),
            ])
        }
    }
}
