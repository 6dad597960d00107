import Synchronization

/// Counts objects alive now: incremented by an initialiser, decremented by the matching `deinit`.
///
/// The server counts its connection handlers with one, so a test can show that every closed
/// connection's state is freed (a handler kept alive by a reference cycle once leaked ~1.5 KB per
/// connection, issue 16).
final class LiveCounter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { self.count.add(1, ordering: .relaxed) }
    func decrement() { self.count.subtract(1, ordering: .relaxed) }

    /// How many are alive.
    var value: Int { self.count.load(ordering: .relaxed) }
}
