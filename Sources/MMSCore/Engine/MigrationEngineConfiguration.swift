/// When failed migrations are retried (M7): up to ``delays``.count retries, the n-th one
/// ``delays``[n-1] after the previous attempt.
public struct RetrySchedule: Sendable, Hashable {
    /// The wait before each retry, in order.
    public var delays: [Duration]

    /// Creates a schedule.
    public init(delays: [Duration]) { self.delays = delays }

    /// 9 retries over 23 h 50 min: 5, 15, 30 min, then 1, 2, 3, 4, 6 and 7 hours.
    public static let `default` = RetrySchedule(delays: [
        .seconds(5 * 60), .seconds(15 * 60), .seconds(30 * 60),
        .seconds(3600), .seconds(2 * 3600), .seconds(3 * 3600), .seconds(4 * 3600), .seconds(6 * 3600), .seconds(7 * 3600),
    ])

    /// The most retries M7 allows.
    public static let maximumRetries = 9
    /// The longest time M7 allows retries to span: 24 hours.
    public static let maximumSpan: Duration = .seconds(24 * 3600)

    /// The number of retries after the first attempt.
    public var maximumRetries: Int { delays.count }

    /// The time from the first failed attempt to the last retry.
    public var totalSpan: Duration { delays.reduce(.zero, +) }

    /// The wait before retry number `retry` (1-based), or `nil` when retries are exhausted.
    public func delay(beforeRetry retry: Int) -> Duration? {
        retry >= 1 && retry <= delays.count ? delays[retry - 1] : nil
    }
}

/// How the engine runs.
public struct MigrationEngineConfiguration: Sendable {
    /// How long a request waits before it is processed (M1); a merged trigger restarts it.
    public var hold: Duration
    /// When failed migrations are retried (M7).
    public var retrySchedule: RetrySchedule
    /// How many migrations are processed at once by ``MigrationEngine/run()``.
    public var workerCount: Int
    /// How long a claim lasts without renewal; a worker that dies loses it after this.
    public var leaseDuration: Duration
    /// How long status records are kept (S2).
    public var statusRetention: Duration
    /// The longest a worker sleeps before looking for due work again.
    public var pollInterval: Duration
    /// A name for this engine's workers, written on their leases.
    public var workerName: String
    /// How many claims a migration may take before it is failed: a migration whose worker dies at
    /// every attempt (a crash it causes) must end rather than loop. Default: three times the
    /// attempts the retry schedule allows.
    public var maximumClaims: Int
    /// How long an invitation waits before its first retry after a `4xx` or a dropped connection;
    /// each further retry waits twice as long, up to an hour (issue 10).
    public var outboxRetryDelay: Duration
    /// How many meetings of the built-in calendar a worker plans before recording them in one
    /// transaction (issue 11); each meeting keeps its own version check.
    public var meetingBatchSize: Int
    /// Told when attempts start and end and invitations go out (metrics); nobody by default.
    public var observer: any MigrationObserver = NoMigrationObserver()

    /// Creates a configuration; every parameter has the service's default.
    public init(
        hold: Duration = .seconds(90 * 60),
        retrySchedule: RetrySchedule = .default,
        workerCount: Int = 4,
        leaseDuration: Duration = .seconds(5 * 60),
        statusRetention: Duration = .seconds(150 * 24 * 3600),
        pollInterval: Duration = .seconds(1),
        workerName: String = "worker",
        maximumClaims: Int? = nil,
        outboxRetryDelay: Duration = .seconds(30),
        meetingBatchSize: Int = 64
    ) {
        self.hold = hold
        self.retrySchedule = retrySchedule
        self.workerCount = workerCount
        self.leaseDuration = leaseDuration
        self.statusRetention = statusRetention
        self.pollInterval = pollInterval
        self.workerName = workerName
        self.maximumClaims = maximumClaims ?? 3 * (retrySchedule.maximumRetries + 1)
        self.outboxRetryDelay = outboxRetryDelay
        self.meetingBatchSize = max(1, meetingBatchSize)
    }

    /// The service's defaults: 90-minute hold, 9 retries over 24 h, 4 workers, 5-minute leases, 150 days.
    public static var defaults: MigrationEngineConfiguration { MigrationEngineConfiguration() }
}
