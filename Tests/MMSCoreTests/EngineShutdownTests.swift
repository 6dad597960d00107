import Foundation
import Logging
import MMSCore
import MMSCoreTesting
import MMSSQLite
import Synchronization
import Testing

/// Issue 11: a shutdown (the engine's task cancelled) is a clean, quiet exit, whatever the workers,
/// the outbox dispatcher and the pruner were doing: nothing is logged as an error or a warning.
@Suite("Engine: shutdown")
struct EngineShutdownTests {
    /// Keeps every log record at warning level or above.
    final class Recorder: Sendable {
        let records = Mutex<[String]>([])
    }

    struct RecordingHandler: LogHandler {
        let recorder: Recorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(
            level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt
        ) {
            guard level >= .warning else { return }
            recorder.records.withLock { $0.append("\(level): \(message) \(metadata ?? [:])") }
        }
    }

    @Test("Shutdown: cancelling the engine at any moment of a busy backlog logs no error or warning, and it ends")
    func quietShutdown() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteMigrationStore(directory: directory.path)
        let recorder = Recorder()
        let logger = Logger(label: "test") { _ in RecordingHandler(recorder: recorder) }
        let seedEngine = MigrationEngine(store: store, configuration: MigrationEngineConfiguration(hold: .zero), logger: logger)
        try await seedEngine.saveBridge(Fixtures.bridge)
        for index in 0..<12 {
            let user = try await seedEngine.createUser(Fixtures.user("u\(index)"))
            for day in 0..<8 {
                let start = Date().addingTimeInterval(Double(day + 1) * 86_400)
                _ = try await seedEngine.scheduleMeeting(tenant: Fixtures.tenant, NewMeeting(
                    organizer: user.userPrincipalName, attendees: ["a@contoso.com"], start: start, end: start.addingTimeInterval(600),
                    subject: "m\(day)", body: "agenda", bodyFormat: .html, kind: .skypeOnline))
            }
        }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<12 {
            for index in 0..<12 {
                _ = try await seedEngine.startMeetingMigration(tenant: Fixtures.tenant, identity: Fixtures.user("u\(index)").userPrincipalName, target: .teams)
            }
            let engine = MigrationEngine(
                store: store,
                configuration: MigrationEngineConfiguration(
                    hold: .zero, pollInterval: .milliseconds(5), workerName: "round\(round)", meetingBatchSize: 4),
                logger: logger)
            let running = Task { try await engine.run() }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...40, using: &generator)))
            running.cancel()
            _ = await running.result
        }
        let logged = recorder.records.withLock { $0 }
        #expect(logged.isEmpty, "logged at shutdown: \(logged.prefix(5))")
    }
}
