import ArgumentParser
import Foundation
import Logging
import MMSCore
import MMSSMTP
import MMSSQLite

/// Invitations per second and SMTP round trips per invitation through `SMTPInvitationSender`
/// (issue 10), one invitation at a time as the outbox dispatcher sends them, each recipient's
/// outcome recorded in a real SQLite store, to an SMTP server already listening on loopback
/// (Benchmarks/smtp/run starts aiosmtpd).
@main
struct SMTPBench: AsyncParsableCommand {
    @Option(help: "The SMTP server's loopback port.") var port: Int
    @Option(help: "Invitations to send.") var count = 10_000
    @Option(help: "Recipients per invitation.") var recipients = 2
    @Flag(inversion: .prefixedNo, help: "Pipeline MAIL, RCPT and DATA when the server offers PIPELINING.") var pipelining = true
    @Option(help: "Invitations sent before timing starts (connection, caches).") var warmup = 100

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "smtp-bench")
        logger.logLevel = .warning
        let store = try SQLiteMigrationStore(directory: directory.path, logger: logger)
        let tenant = TenantID("bench")
        try await store.saveMailSettings(tenant, MailSettings(host: "127.0.0.1", port: port, tls: .none, senderAddress: "mms@bench.example"))
        let sender = SMTPInvitationSender(
            store: store, configuration: SMTPClientConfiguration(usePipelining: pipelining), password: { _ in nil }, logger: logger)
        let body = "<p>Agenda: quarterly review · café · 会議</p>\r\n" + String(repeating: "<p>The rest of the invitation body.</p>\r\n", count: 40)
        let attachment = Attachment(name: "plan.pdf", contentType: "application/pdf", content: Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        func invitation(_ index: Int) -> OutgoingInvitation {
            let start = Date(timeIntervalSince1970: 1_900_000_000 + Double(index) * 3600)
            return OutgoingInvitation(
                id: "bench-\(index)/meeting-\(index)", correlationId: CorrelationID("bench-\(index)"), tenant: tenant,
                meeting: MeetingID("meeting-\(index)"), organizerPrincipalName: "organiser@bench.example",
                recipients: (0..<recipients).map { "attendee\($0)-\(index)@bench.example" }, subject: "Quarterly review \(index)",
                body: body, bodyFormat: .html, attachments: [attachment], start: start, end: start.addingTimeInterval(3600),
                created: Date(), sequence: 2)
        }
        for index in 0..<warmup { _ = try await sender.deliver(invitation(-1 - index)) }
        let roundTripsBefore = sender.roundTrips
        func cpuSeconds() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        }
        let cpuBefore = cpuSeconds()
        let clock = ContinuousClock()
        let started = clock.now
        var delivered = 0
        for index in 0..<count {
            let delivery = try await sender.deliver(invitation(index))
            delivered += delivery.outcomes.filter { $0.state == .delivered }.count
        }
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let roundTrips = sender.roundTrips - roundTripsBefore
        let cpu = cpuSeconds() - cpuBefore
        await sender.shutdown()
        print(String(
            format: "pipelining=%@ invitations=%d recipients/invitation=%d delivered=%d seconds=%.2f invitations/s=%.0f round-trips/invitation=%.2f client-cpu-s=%.2f",
            pipelining ? "on" : "off", count, recipients, delivered, seconds, Double(count) / seconds, Double(roundTrips) / Double(count), cpu))
        guard delivered == count * recipients else { throw ExitCode(1) }
    }
}
