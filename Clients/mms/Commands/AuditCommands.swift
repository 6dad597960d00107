import ArgumentParser
import MMSClient

/// `mms audit ...`: the audit trail (MISSION R8).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read the audit trail: who changed what, when, and how it ended (R8).",
        subcommands: [List.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List audit records, newest first.",
            discussion: """
                A tenant admin sees every change made on its tenant (by its tokens or an operator's), \
                refusals and PERMISSION_DENIED included; an operator sees the operator actions. Records \
                are kept as long as status records (150 days, S2). Example:
                  mms audit list --identity ashaw@contoso.com --start-time 2026-11-25T00:00:00Z --end-time 2026-11-26T00:00:00Z
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Only records whose target is this identity (a principal name, bridge id, token id, ...).", valueName: "identity"))
        var identity: String?

        @Option(
            help: ArgumentHelp("Only records made at or after this time (ISO 8601, e.g. 2026-11-25T09:00:00Z).", valueName: "time"),
            transform: { try TimeText.parse($0, option: "--start-time") })
        var startTime: Int64?

        @Option(
            help: ArgumentHelp("Only records made at or before this time (ISO 8601).", valueName: "time"),
            transform: { try TimeText.parse($0, option: "--end-time") })
        var endTime: Int64?

        @Option(help: ArgumentHelp("At most this many records (default 1000), newest first, fetched page by page.", valueName: "n"))
        var limit: UInt32?

        func run() async throws {
            try await Session.run(global) { session in
                let wanted = Int(limit ?? 1000)
                let response = try await session.allPages(\.records, next: \.nextPageToken, limit: wanted) {
                    let request = ListAuditRecordsRequest(
                        identity: identity ?? "", startTimeMicros: startTime ?? 0, endTimeMicros: endTime ?? 0,
                        pageSize: UInt32(min(wanted, 1000)), pageToken: $0)
                    return try await session.call(AdminServiceMethods.listAuditRecords, request)
                }
                session.print(response) { AuditText.records(response.records) }
            }
        }
    }
}

extension AuditRecord: JSONPrintable {
    var json: JSONValue {
        .object([
            "record_id": .string(recordId), "time": TimeText.json(micros: timeMicros), "token_id": .string(tokenId),
            "role": role.json, "tenant_id": .string(tenantId), "call": .string(call), "target": .string(target),
            "outcome": .string(outcome), "detail": .string(detail), "correlation_ids": .array(correlationIds.map(JSONValue.string)),
        ])
    }
}

extension ListAuditRecordsResponse: JSONPrintable {
    var json: JSONValue { .object(["records": .array(records.map(\.json))]) }
}

enum AuditText {
    static func records(_ records: [AuditRecord]) -> String {
        guard !records.isEmpty else { return "No audit records." }
        return TextLayout.table(
            ["Time", "TokenId", "Role", "Call", "Target", "Outcome", "CorrelationIds", "Detail"],
            records.map {
                [TimeText.table(micros: $0.timeMicros), $0.tokenId, $0.role.displayName, $0.call, $0.target, $0.outcome,
                 $0.correlationIds.joined(separator: " "), $0.detail]
            })
    }
}
