import Foundation
import Histogram
import MMSClient

/// The result of a run, as text for people and JSON for scripts.
struct LoadReport: Codable, Sendable {
    struct CallCount: Codable, Sendable {
        var calls: Int
        var errors: Int
    }

    var mode: String
    var endpoint: String
    var mix: String
    var connections: Int
    /// Closed loop only.
    var inFlight: Int?
    /// Open loop only: the scheduled rate.
    var rate: Double?
    var durationSeconds: Double
    var calls: Int
    var succeeded: Int
    var failed: Int
    var callsPerSecond: Double
    /// Failed calls by status name, e.g. `DEADLINE_EXCEEDED`.
    var errors: [String: Int]
    /// Latency in microseconds: p50, p90, p99, p99.9, max, mean (open loop: from the scheduled time).
    var latencyMicroseconds: [String: Double]
    var byCall: [String: CallCount]
    var tenantId: String?
    var users: Int?
    var setupSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case mode, endpoint, mix, connections, rate, calls, succeeded, failed, errors, users
        case inFlight = "in_flight", durationSeconds = "duration_seconds", callsPerSecond = "calls_per_second"
        case latencyMicroseconds = "latency_microseconds", byCall = "by_call", tenantId = "tenant_id", setupSeconds = "setup_seconds"
    }

    init(plan: LoadPlan, tally: Tally, elapsed: Duration, tenant: LoadTenant?, setupSeconds: Double) {
        switch plan.shape {
        case .closed(let inFlight):
            mode = "closed"
            self.inFlight = inFlight
        case .open(let rate, _):
            mode = "open"
            self.rate = rate
        }
        endpoint = plan.endpoint
        mix = plan.mix.description
        connections = plan.connections
        durationSeconds = seconds(elapsed)
        calls = tally.calls
        failed = tally.failures
        succeeded = tally.calls - tally.failures
        callsPerSecond = durationSeconds > 0 ? Double(tally.calls) / durationSeconds : 0
        errors = tally.errors
        let histogram = tally.latency
        func micros(_ value: UInt64) -> Double { (Double(value) / 1_000).rounded(toPlaces: 1) }
        latencyMicroseconds = tally.calls == 0 ? [:] : [
            "p50": micros(histogram.valueAtPercentile(50)), "p90": micros(histogram.valueAtPercentile(90)),
            "p99": micros(histogram.valueAtPercentile(99)), "p99.9": micros(histogram.valueAtPercentile(99.9)),
            "max": micros(histogram.max), "mean": (histogram.mean / 1_000).rounded(toPlaces: 1),
        ]
        byCall = Dictionary(uniqueKeysWithValues: tally.callsByKind.map {
            ($0.key.rawValue, CallCount(calls: $0.value, errors: tally.errorsByKind[$0.key] ?? 0))
        })
        tenantId = tenant?.tenantId
        users = tenant?.identities.count
        self.setupSeconds = tenant == nil ? nil : setupSeconds.rounded(toPlaces: 3)
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func text() -> String {
        var lines: [String] = []
        let shape = mode == "open" ? String(format: "open loop at %.0f calls/s", rate ?? 0) : "closed loop, \(inFlight ?? 0) in flight each"
        lines.append("\(endpoint): \(connections) connection(s), \(shape), mix \(mix)")
        if let tenantId { lines.append("setup: tenant \(tenantId), \(users ?? 0) users, " + String(format: "%.2f s", setupSeconds ?? 0)) }
        lines.append(String(format: "calls      %d in %.2f s = %.0f calls/s", calls, durationSeconds, callsPerSecond))
        lines.append("errors     \(failed)" + (errors.isEmpty ? "" : " (" + errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"))
        let order = ["p50", "p90", "p99", "p99.9", "max", "mean"]
        lines.append("latency µs " + order.compactMap { key in latencyMicroseconds[key].map { "\(key) \($0)" } }.joined(separator: "  "))
        for (kind, count) in byCall.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(kind.padding(toLength: 8, withPad: " ", startingAt: 0)) \(count.calls) calls, \(count.errors) errors")
        }
        return lines.joined(separator: "\n")
    }
}

extension Double {
    fileprivate func rounded(toPlaces places: Int) -> Double {
        let scale = Foundation.pow(10, Double(places))
        return (self * scale).rounded() / scale
    }
}
