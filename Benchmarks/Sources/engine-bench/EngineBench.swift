import ArgumentParser
import Foundation
import Logging

/// `engine-bench`: the time to migrate a backlog end to end with the engine alone (no RPC), and
/// how it grows with the backlog.
struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine-bench",
        abstract: "Meetings per second to migrate a backlog (U users × M meetings, hold 0) on a fresh SQLite store.",
        discussion: """
            Seeds U users and their M future meetings each (timed apart), enqueues one migration per user (timed \
            apart: enqueues/s), then runs the engine's workers (MigrationEngine.run(), as mms-server does) until \
            every migration has finished and the outbox is drained. Every migration, meeting, outcome, invitation \
            and delivery is then checked; the tool exits non-zero when anything is wrong, so a wrong result never \
            reads as a fast one. --sweep runs 50, 500 and 5000 users × 20 meetings (1k, 10k, 100k meetings).
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Option(help: "Users, each with one migration.")
    var users: Int = 500

    @Option(help: "Future meetings per user.")
    var meetingsPerUser: Int = 20

    @Option(help: "Engine workers (mms-server's default is 4).")
    var workers: Int = 4

    @Option(help: "A fresh folder for the SQLite file (with --sweep, one subfolder per size). Default: a new temporary folder.")
    var dataDirectory: String?

    @Flag(help: "Keep the data directory after the run.")
    var keep = false

    @Option(help: "How every user's migration is triggered: move (T1 Move-CsUser to online) or start (T4 Start-CsExMeetingMigration).")
    var trigger: Trigger = .move

    @Option(help: "Concurrent writes while seeding users and meetings.")
    var seedConcurrency: Int = 32

    @Option(help: "Concurrent triggers while enqueueing.")
    var enqueueConcurrency: Int = 16

    @Option(help: "Engine log level (mms-server's default is info).")
    var logLevel: String = "warning"

    @Option(help: "Give up (and fail) after this many seconds of migrating.")
    var timeout: Double = 3600

    @Flag(help: "Run 1k, 10k and 100k meetings (--sweep-users × --meetings-per-user) in turn and print the table.")
    var sweep = false

    @Option(help: "The user counts of --sweep, comma-separated.")
    var sweepUsers: String = "50,500,5000"

    @Flag(help: "Print EXPLAIN QUERY PLAN of every hot-path statement, read on the run's own file.")
    var plans = false

    @Flag(help: "Check the checker: strip one meeting's join block before migrating; the run must then fail.")
    var injectFault = false

    @Option(help: "table or json.")
    var output: Output = .table

    func validate() throws {
        guard users >= 1, meetingsPerUser >= 1, workers >= 1 else { throw ValidationError("users, meetings-per-user and workers must be ≥ 1") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: trace, debug, info, notice, warning, error or critical") }
        guard !sweep || sweepSizes != nil else { throw ValidationError("--sweep-users: comma-separated positive numbers") }
    }

    var sweepSizes: [Int]? {
        let sizes = sweepUsers.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return sizes.compactMap { $0 }
    }

    func parameters(users: Int, directory: String?) -> BacklogParameters {
        BacklogParameters(
            users: users, meetingsPerUser: meetingsPerUser, workers: workers, dataDirectory: directory, keep: keep,
            seedConcurrency: seedConcurrency, enqueueConcurrency: enqueueConcurrency, trigger: trigger,
            logLevel: Logger.Level(rawValue: logLevel) ?? .warning, timeoutSeconds: timeout, plans: plans,
            injectFault: injectFault)
    }

    func run() async throws {
        var results: [BacklogResult] = []
        if sweep {
            let sizes = sweepSizes ?? []
            for (index, size) in sizes.enumerated() {
                let directory = dataDirectory.map { ($0 as NSString).appendingPathComponent("\(size * meetingsPerUser)") }
                note("== \(size) users × \(meetingsPerUser) meetings (load \(loadAverage()))")
                // Plans once, on the largest file.
                var p = parameters(users: size, directory: directory)
                p.plans = plans && index == sizes.count - 1
                results.append(try await Backlog.run(p))
                if !results.last!.ok { break }
            }
        } else {
            results.append(try await Backlog.run(parameters(users: users, directory: dataDirectory)))
        }
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        case .table:
            print(Report.render(results, sweep: sweep))
        }
        let failed = results.filter { !$0.ok }
        if !failed.isEmpty || (sweep && results.count != (sweepSizes ?? []).count) {
            for result in failed {
                note("FAILED: \(result.users) users × \(result.meetingsPerUser) meetings: \(result.errorCount) problem(s)")
                for error in result.errors { note("  - \(error)") }
            }
            throw ExitCode.failure
        }
    }
}

extension Trigger: ExpressibleByArgument {}

enum Report {
    static func render(_ results: [BacklogResult], sweep: Bool) -> String {
        var lines: [String] = []
        if let first = results.first {
            lines.append("engine-bench: \(first.workers) workers, hold 0, SQLite (WAL, synchronous FULL), trigger \(first.trigger.describe)")
        }
        for r in results {
            lines.append("")
            lines.append("\(r.users) users × \(r.meetingsPerUser) meetings = \(r.meetings) meetings  [\(r.ok ? "result checked: OK" : "WRONG RESULT")]")
            lines.append("  seed      \(r.seedSeconds.fixed(2)) s   \(r.seedMeetingsPerSecond.fixed(0)) meetings/s (users and meetings)")
            lines.append("  enqueue   \(r.enqueueSeconds.fixed(2)) s   \(r.enqueuesPerSecond.fixed(0)) enqueues/s")
            lines.append("  migrate   \(r.seconds.fixed(2)) s   \(r.meetingsPerSecond.fixed(1)) meetings/s, \(r.migrationsPerSecond.fixed(2)) migrations/s "
                + "(last migration finished at \(r.migrationsFinishedSeconds.fixed(2)) s, outbox drained at \(r.seconds.fixed(2)) s)")
            lines.append("  per meeting: \(r.cpuMillisecondsPerMeeting.fixed(2)) ms CPU, \(r.writesPerMeeting.fixed(2)) writes, "
                + "\(r.transactionsPerMeeting.fixed(2)) transactions (fsyncs)")
            lines.append("  migrations: \(r.migrationsSucceeded) succeeded, \(r.migrationsNotSucceeded) not; meetings: \(r.meetingsMigrated) migrated, "
                + "\(r.meetingsFailed) failed, \(r.meetingsSkipped) skipped")
            lines.append("  outbox: \(r.invitationsQueued) invitations queued, \(r.invitationsSent) sent (\(r.sendCalls) send calls)")
            lines.append("  SQLite: \(mib(r.sqliteBytes)) MiB file + \(mib(r.walBytes)) MiB WAL; load \(r.loadBefore) → \(r.loadAfter); "
                + "checked in \(r.verifySeconds.fixed(1)) s")
            for error in r.errors { lines.append("  ! \(error)") }
            if r.errorCount > r.errors.count { lines.append("  ! … and \(r.errorCount - r.errors.count) more") }
        }
        if sweep || results.count > 1, let base = results.first?.meetingsPerSecond, base > 0 {
            lines.append("")
            lines.append("| meetings | users × M | seconds | meetings/s | ratio to smallest | migrations/s | CPU ms/meeting | fsyncs/meeting | seed s | enqueues/s | SQLite MiB | load before → after |")
            lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
            for r in results {
                lines.append("| \(r.meetings) | \(r.users) × \(r.meetingsPerUser) | \(r.seconds.fixed(1)) | \(r.meetingsPerSecond.fixed(1)) | "
                    + "\((r.meetingsPerSecond / base).fixed(2)) | \(r.migrationsPerSecond.fixed(2)) | \(r.cpuMillisecondsPerMeeting.fixed(2)) | "
                    + "\(r.transactionsPerMeeting.fixed(2)) | \(r.seedSeconds.fixed(1)) | \(r.enqueuesPerSecond.fixed(0)) | "
                    + "\(mib(r.sqliteBytes + r.walBytes)) | \(r.loadBefore) → \(r.loadAfter) |")
            }
        }
        if let plans = results.last(where: { !$0.plans.isEmpty })?.plans {
            lines.append("")
            lines.append(QueryPlans.render(plans))
            let scans = plans.filter(\.scans)
            lines.append(scans.isEmpty ? "No statement scans a whole table." : "Statements with a SCAN step: " + scans.map(\.name).joined(separator: "; "))
        }
        return lines.joined(separator: "\n")
    }

    static func mib(_ bytes: Int64) -> String { (Double(bytes) / 1_048_576).fixed(1) }
}
