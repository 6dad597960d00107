import GRDB
import Synchronization

/// Batches concurrent writes into one transaction, so N concurrent requests cost one fsync
/// rather than N (group commit).
///
/// Each write runs in its own savepoint inside the shared transaction: one that throws is rolled
/// back alone and its caller gets the error; the others commit. Callers are resumed only after
/// the transaction committed, so a returned write is durable. While one batch commits, new writes
/// queue up and form the next batch.
final class GroupCommitter: Sendable {
    private struct Job: Sendable {
        let run: @Sendable (Database) throws -> Void
        let complete: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var queued: [Job] = []
        var flushing = false
        var writes = 0
        var transactions = 0
    }

    /// How many writes were committed in how many transactions so far.
    var statistics: (writes: Int, transactions: Int) { state.withLock { ($0.writes, $0.transactions) } }

    private let writer: any DatabaseWriter
    private let state = Mutex(State())
    private let maximumBatch: Int

    init(writer: any DatabaseWriter, maximumBatch: Int = 256) {
        self.writer = writer
        self.maximumBatch = maximumBatch
    }

    /// Runs `body` inside the next group transaction and returns its result once committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result = LockedBox<T?>(nil)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { db in
                    let value = try body(db)
                    result.withLock { $0 = value }
                },
                complete: { error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else {
                        continuation.resume(returning: result.withLock { $0! })
                    }
                })
            let startFlushing = state.withLock { state -> Bool in
                state.queued.append(job)
                if state.flushing { return false }
                state.flushing = true
                return true
            }
            if startFlushing {
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while true {
            let batch = state.withLock { state -> [Job] in
                let batch = Array(state.queued.prefix(maximumBatch))
                state.queued.removeFirst(batch.count)
                if batch.isEmpty {
                    state.flushing = false
                } else {
                    state.writes += batch.count
                    state.transactions += 1
                }
                return batch
            }
            if batch.isEmpty { return }
            let errors = LockedBox<[Int: any Error]>([:])
            do {
                try await writer.write { db in
                    for (index, job) in batch.enumerated() {
                        do {
                            try db.inSavepoint {
                                try job.run(db)
                                return .commit
                            }
                        } catch {
                            errors.withLock { $0[index] = error }
                        }
                    }
                }
                let failed = errors.withLock { $0 }
                for (index, job) in batch.enumerated() { job.complete(failed[index]) }
            } catch {
                for job in batch { job.complete(error) }
            }
        }
    }
}

/// A mutable value shared by closures that outlive a scope (a `Mutex` cannot be captured).
final class LockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
