import NIOCore

/// Runs Swift tasks on one NIO event loop.
///
/// Handlers of a connection's calls are started with this executor as their preference,
/// so a call is decoded, handled and answered on the thread its bytes arrived on: no
/// thread hop on the hot path unless the handler itself awaits another executor.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: the only stored property is an EventLoop, which is Sendable and never mutated.
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
