import MMSClient

/// The live view of `mms migration status --watch`, fed by the server-streaming WatchMigration call.
///
/// On a terminal the view is redrawn in place; through a pipe each change is one line, so logs
/// stay readable; with `--output json` each change is one JSON object on its own line.
struct MigrationWatch {
    let session: Session
    let identity: String?

    func run() async throws {
        // WatchMigration with until_finished waits for a first record; with none there is nothing to wait for.
        let existing = try await session.call(
            MigrationServiceMethods.getMigrationStatus, GetMigrationStatusRequest(identity: identity ?? "", limit: 1))
        guard !existing.records.isEmpty else {
            // What the server answers for any other read of something that is not there (exit 1).
            throw RPCError(.notFound, "no migration to watch for \(identity ?? "this tenant")")
        }
        let stream = try await session.stream(
            MigrationServiceMethods.watchMigration, WatchMigrationRequest(identity: identity ?? "", untilFinished: true))
        var records: [String: MigrationStatus] = [:]
        var order: [String] = []
        let live = session.output == .table && Terminal.isInteractive
        for try await record in stream {
            session.markAnswered()
            if records[record.correlationId] == nil { order.append(record.correlationId) }
            records[record.correlationId] = record
            switch session.output {
            case .json:
                Terminal.line(record.json.rendered(pretty: false))
            case .table where live:
                Terminal.write("\u{1B}[H\u{1B}[2J" + Self.view(order.compactMap { records[$0] }, identity: identity) + "\n")
            case .table:
                Terminal.line(Self.line(record))
            }
        }
        if session.output == .table {
            let finished = order.compactMap { records[$0] }
            let succeeded = finished.filter { $0.state == .succeeded }.count
            let failed = finished.filter { $0.state == .failed }.count
            Terminal.line("Every watched migration has finished: \(succeeded) succeeded, \(failed) failed.")
        }
    }

    /// Meetings done (succeeded or failed) out of the total.
    static func progress(_ record: MigrationStatus) -> String {
        let done = record.succeededMeeting + record.failedMeeting
        return "\(done)/\(record.totalMeeting) meetings"
    }

    /// `[#####-----]` for the share of meetings done.
    static func bar(_ record: MigrationStatus, width: Int = 20) -> String {
        let done = Int(record.succeededMeeting + record.failedMeeting)
        let total = Int(record.totalMeeting)
        let filled = record.state == .succeeded ? width : (total == 0 ? 0 : min(width, done * width / total))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }

    /// One change, on one line.
    static func line(_ record: MigrationStatus) -> String {
        var text = "\(TimeText.table(micros: record.modifiedDateMicros))  \(record.userPrincipalName)  \(record.state.displayName)  "
            + "\(progress(record)) done (\(record.succeededMeeting) succeeded, \(record.failedMeeting) failed), "
            + "\(record.invitesUpdate) invitations, \(record.retryCount) retries  \(record.correlationId)"
        if !record.lastMessage.isEmpty { text += "  \(record.lastMessage)" }
        return text
    }

    /// The whole view, redrawn on each change.
    static func view(_ records: [MigrationStatus], identity: String?) -> String {
        let title = "Migrations of \(identity ?? "the tenant"), live (Ctrl-C stops watching, not the migrations)"
        let table = TextLayout.table(
            ["UserPrincipalName", "State", "Progress", "Meetings", "Invites", "Retries", "CorrelationId", "LastMessage"],
            records.map {
                [$0.userPrincipalName, $0.state.displayName, bar($0), progress($0), String($0.invitesUpdate),
                 String($0.retryCount), $0.correlationId, $0.lastMessage]
            }, rightAligned: ["Invites", "Retries"])
        return title + "\n\n" + table
    }
}
