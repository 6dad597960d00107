import MMSMessages

/// How a call that wrote nothing is described in its audit record (R8).
extension Convert {
    /// A directory change: refused (nothing changed) or applied, and whether it queued a migration.
    static func changeAudit(_ response: DirectoryChangeResponse) -> (outcome: String, detail: String)? {
        let detail = response.queued ? "migration queued" : response.reason.isEmpty ? "" : "no migration: \(response.reason)"
        return (response.changeApplied ? "OK" : "REFUSED", detail)
    }

    /// StartMeetingMigration: nothing queued is a refusal (S3 off, L1), as the CLI reports it.
    static func startAudit(_ response: StartMeetingMigrationResponse) -> (outcome: String, detail: String)? {
        response.queued ? ("OK", "migration queued") : ("REFUSED", "no migration: \(response.reason)")
    }
}
