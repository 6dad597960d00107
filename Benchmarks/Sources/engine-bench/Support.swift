import Foundation
import MMSCore
import Synchronization

/// Runs `body(0..<count)` with at most `width` calls in flight; rethrows the first error.
func forEachConcurrently(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        while next < min(count, max(1, width)) {
            let index = next
            group.addTask { try await body(index) }
            next += 1
        }
        while try await group.next() != nil {
            if next < count {
                let index = next
                group.addTask { try await body(index) }
                next += 1
            }
        }
    }
}

/// The built-in sender (deliveries recorded in the store, at most once per id), counting what
/// it is asked to send, so the benchmark can check every invitation went out exactly once.
final class CountingSender: BatchInvitationSender {
    private let base: StoreInvitationSender
    private let state = Mutex<(calls: Int, ids: Set<String>)>((0, []))

    init(store: any OutboxStore, clock: any MigrationClock) {
        base = StoreInvitationSender(store: store, clock: clock)
    }

    func deliver(_ invitation: OutgoingInvitation) async throws -> InvitationDelivery {
        let delivery = try await base.deliver(invitation)
        state.withLock {
            $0.calls += 1
            $0.ids.insert(invitation.id)
        }
        return delivery
    }

    func deliverAndMarkSent(_ batch: [OutgoingInvitation]) async throws {
        try await base.deliverAndMarkSent(batch)
        state.withLock {
            $0.calls += batch.count
            for invitation in batch { $0.ids.insert(invitation.id) }
        }
    }

    /// Invitations delivered (one per call of `deliver`, one per invitation of a batch), and distinct invitation ids among them.
    var counts: (calls: Int, distinct: Int) { state.withLock { ($0.calls, $0.ids.count) } }
}

/// Monotonic seconds.
func monotonicSeconds() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

/// The 1, 5 and 15 minute load averages, as /proc/loadavg gives them.
func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

/// The size of a file in bytes (0 when missing).
func fileSize(_ path: String) -> Int64 {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
}

/// Text written to standard error (progress, never the result).
func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

extension Double {
    func fixed(_ digits: Int) -> String { String(format: "%.\(digits)f", self) }
}

/// A small deterministic generator (SplitMix64), so every run seeds the same backlog.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
