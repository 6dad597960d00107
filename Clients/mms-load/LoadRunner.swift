import Foundation
import Histogram
import MMSClient
import Synchronization

/// How a run drives the server.
enum LoadShape: Sendable {
    /// Closed loop: each connection keeps `inFlight` calls outstanding; a call starts when one ends.
    case closed(inFlight: Int)
    /// Open loop: `rate` calls per second in all, started on a fixed schedule whatever the replies do.
    case open(rate: Double, maxOutstanding: Int)
}

/// Everything a run needs.
struct LoadPlan: Sendable {
    var endpoint: String
    var token: String?
    var mix: CallMix
    var maker: CallMaker
    var connections: Int
    var shape: LoadShape
    /// Measured time, after the warm-up.
    var duration: Duration
    /// Calls made before measuring starts (not recorded).
    var warmup: Duration
    /// Stop after this many measured calls have started.
    var maxCalls: Int?
    var timeout: Duration
    /// TLS for every connection; nil = plain TCP.
    var tls: ClientTLSConfiguration?
}

/// Counters the progress line reads while the workers run.
final class LiveCounters: Sendable {
    let completed = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let outstanding = Atomic<Int>(0)
    /// Measured calls started so far; the `--max-calls` budget is taken from it.
    let started = Atomic<Int>(0)
}

/// One open-loop connection's shared state: its tally and its calls outstanding.
final class OpenLoopState: Sendable {
    let tally = Mutex(Tally())
    let outstanding = Atomic<Int>(0)
}

/// What some calls did: a latency histogram (nanoseconds) and counts by kind and status.
struct Tally: Sendable {
    var latency = Histogram<UInt64>(lowestDiscernibleValue: 1_000, highestTrackableValue: 120_000_000_000, numberOfSignificantValueDigits: .three)
    var calls = 0
    var failures = 0
    var errors: [String: Int] = [:]
    var callsByKind: [CallKind: Int] = [:]
    var errorsByKind: [CallKind: Int] = [:]

    init() { latency.autoResize = true }

    mutating func record(_ kind: CallKind, nanoseconds: UInt64, error: String?) {
        calls += 1
        callsByKind[kind, default: 0] += 1
        _ = latency.record(max(nanoseconds, 1))
        if let error {
            failures += 1
            errors[error, default: 0] += 1
            errorsByKind[kind, default: 0] += 1
        }
    }

    mutating func add(_ other: Tally) {
        latency.add(other.latency)
        calls += other.calls
        failures += other.failures
        errors.merge(other.errors, uniquingKeysWith: +)
        callsByKind.merge(other.callsByKind, uniquingKeysWith: +)
        errorsByKind.merge(other.errorsByKind, uniquingKeysWith: +)
    }
}

/// Runs a plan and returns what the measured calls did.
enum LoadRunner {
    /// Runs `plan`; prints a progress line to standard error every second unless `progress` is false.
    /// - Returns: the merged tally and the measured wall time.
    static func run(_ plan: LoadPlan, progress: Bool) async throws -> (Tally, Duration) {
        let counters = LiveCounters()
        let clients = try (0..<plan.connections).map { _ in try MMSClient(endpoint: plan.endpoint, token: plan.token, timeout: plan.timeout, tls: plan.tls) }
        // Open every connection before the clock starts, so connecting is not measured.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { _ = try await client.health() } }
            try await group.waitForAll()
        }
        let clock = ContinuousClock()
        let begin = clock.now
        let measureFrom = begin + plan.warmup
        let end = measureFrom + plan.duration

        let progressTask: Task<Void, Never>? = progress ? Task { await Self.report(counters, since: begin, measureFrom: measureFrom, end: end) } : nil
        var total = Tally()
        await withTaskGroup(of: Tally.self) { group in
            for (index, client) in clients.enumerated() {
                switch plan.shape {
                case .closed(let inFlight):
                    for slot in 0..<inFlight {
                        let worker = index * inFlight + slot
                        group.addTask {
                            await closedLoop(plan, client: client, worker: worker, counters: counters, measureFrom: measureFrom, end: end)
                        }
                    }
                case .open(let rate, let maxOutstanding):
                    let perConnection = rate / Double(plan.connections)
                    let outstandingCap = max(1, maxOutstanding / plan.connections)
                    // Stagger the connections' schedules so their calls interleave evenly.
                    let offset = Duration.nanoseconds(Int64(1e9 / rate * Double(index)))
                    group.addTask {
                        await openLoop(
                            plan, client: client, connection: index, rate: perConnection, offset: offset, outstandingCap: outstandingCap,
                            counters: counters, begin: begin, measureFrom: measureFrom, end: end)
                    }
                }
            }
            for await tally in group { total.add(tally) }
        }
        let elapsed = clock.now - measureFrom
        progressTask?.cancel()
        await progressTask?.value
        for client in clients { await client.close() }
        return (total, elapsed)
    }

    /// One closed-loop worker: a call, then the next, until the end or the call budget.
    private static func closedLoop(
        _ plan: LoadPlan, client: MMSClient, worker: Int, counters: LiveCounters, measureFrom: ContinuousClock.Instant,
        end: ContinuousClock.Instant
    ) async -> Tally {
        var tally = Tally()
        let cycle = plan.mix.cycle
        var sequence = worker * 7919  // a prime stride spreads the workers over the cycle and the users
        while true {
            let start = ContinuousClock.now
            if start >= end || Task.isCancelled { break }
            let measured = start >= measureFrom
            if measured, !takeBudget(plan, counters) { break }
            let kind = cycle[sequence % cycle.count]
            let error = await callOnce(plan, kind: kind, sequence: sequence, client: client, counters: counters)
            if measured { tally.record(kind, nanoseconds: nanoseconds(ContinuousClock.now - start), error: error) }
            sequence += 1
        }
        return tally
    }

    /// One connection's open-loop schedule: call `k` is due at `begin + offset + k / rate`, and its
    /// latency runs from that due time, so a stall that delays later calls shows in their latency
    /// (no coordinated omission).
    private static func openLoop(
        _ plan: LoadPlan, client: MMSClient, connection: Int, rate: Double, offset: Duration, outstandingCap: Int,
        counters: LiveCounters, begin: ContinuousClock.Instant, measureFrom: ContinuousClock.Instant, end: ContinuousClock.Instant
    ) async -> Tally {
        let state = OpenLoopState()
        let interval = 1.0 / rate
        let cycle = plan.mix.cycle
        await withDiscardingTaskGroup { group in
            var k = 0
            while !Task.isCancelled {
                let due = begin + offset + .nanoseconds(Int64(Double(k) * interval * 1e9))
                if due >= end { break }
                let now = ContinuousClock.now
                // Sleep only when well ahead: timers are coarse, so calls that are due are sent at
                // once and late ones in a burst; their latency still counts from `due`.
                if due - now > .microseconds(200) {
                    try? await Task.sleep(until: due, clock: .continuous)
                }
                while state.outstanding.load(ordering: .relaxed) >= outstandingCap, !Task.isCancelled {
                    try? await Task.sleep(for: .microseconds(100))
                }
                let measured = due >= measureFrom
                if measured, !takeBudget(plan, counters) { break }
                let sequence = connection * 7919 + k
                let kind = cycle[sequence % cycle.count]
                state.outstanding.add(1, ordering: .relaxed)
                group.addTask {
                    let error = await callOnce(plan, kind: kind, sequence: sequence, client: client, counters: counters)
                    let latency = nanoseconds(ContinuousClock.now - due)
                    state.outstanding.subtract(1, ordering: .relaxed)
                    if measured { state.tally.withLock { $0.record(kind, nanoseconds: latency, error: error) } }
                }
                k += 1
            }
        }
        return state.tally.withLock { $0 }
    }

    /// Takes one call from the `--max-calls` budget; false when it is spent.
    private static func takeBudget(_ plan: LoadPlan, _ counters: LiveCounters) -> Bool {
        let taken = counters.started.add(1, ordering: .relaxed).newValue
        guard let maxCalls = plan.maxCalls else { return true }
        return taken <= maxCalls
    }

    /// Makes one call; returns the status name of its error, or nil on success.
    private static func callOnce(_ plan: LoadPlan, kind: CallKind, sequence: Int, client: MMSClient, counters: LiveCounters) async -> String? {
        counters.outstanding.add(1, ordering: .relaxed)
        defer { counters.outstanding.subtract(1, ordering: .relaxed) }
        do {
            try await plan.maker.call(kind, sequence: sequence, on: client)
            counters.completed.add(1, ordering: .relaxed)
            return nil
        } catch {
            counters.completed.add(1, ordering: .relaxed)
            counters.failed.add(1, ordering: .relaxed)
            return error.code.name
        }
    }

    /// Prints a progress line every second until cancelled.
    private static func report(_ counters: LiveCounters, since begin: ContinuousClock.Instant, measureFrom: ContinuousClock.Instant, end: ContinuousClock.Instant) async {
        var lastCompleted = 0
        var lastTime = begin
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled { break }
            let now = ContinuousClock.now
            let completed = counters.completed.load(ordering: .relaxed)
            let rate = Double(completed - lastCompleted) / seconds(now - lastTime)
            let phase = now < measureFrom ? "warm-up" : "measuring"
            let left = max(0, seconds(end - now))
            Terminal.error(
                String(format: "mms-load: %5.1fs ", seconds(now - begin)) + phase
                    + String(
                        format: " calls %d (%.0f/s) errors %d in flight %d, %.0fs left", completed, rate,
                        counters.failed.load(ordering: .relaxed), counters.outstanding.load(ordering: .relaxed), left))
            lastCompleted = completed
            lastTime = now
        }
    }
}

/// A duration in whole nanoseconds.
func nanoseconds(_ duration: Duration) -> UInt64 {
    let (seconds, attoseconds) = duration.components
    return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
}

/// A duration in seconds.
func seconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) + Double(attoseconds) / 1e18
}

/// Lines to standard error.
enum Terminal {
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
