import Foundation

/// Where the engine gets the time from, so tests can run a 90-minute hold or a
/// 24-hour retry schedule in milliseconds (`ManualClock` in MMSCoreTesting).
public protocol MigrationClock: Sendable {
    /// The current time.
    func now() -> Date
    /// Suspends until `deadline` (or returns at once when it has passed).
    /// - Throws: `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// The system's wall clock.
public struct SystemMigrationClock: MigrationClock {
    /// Creates the clock.
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSinceNow
        if interval > 0 {
            try await Task.sleep(for: .milliseconds(Int64((interval * 1000).rounded(.up))))
        }
    }
}
