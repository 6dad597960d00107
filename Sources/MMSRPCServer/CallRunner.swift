import Logging
import MMSRPC
import MMSWire
import NIOCore

/// Starts a call's handler task; kept apart from the handler class so the task's closure captures only Sendable values.
struct CallRunner: Sendable {
    let handler: ErasedHandler
    let request: ByteBuffer
    let context: ServerContext
    let allocator: ByteBufferAllocator
    let connection: NIOLoopBound<ServerConnectionHandler>
    let call: ServerConnectionHandler.Call

    func start(on executor: EventLoopTaskExecutor) -> Task<Void, Never> {
        Task(executorPreference: executor) { await self.run() }
    }

    /// Runs on the global executor; the answer then hops back to the event loop.
    func start() -> Task<Void, Never> {
        Task { await self.run() }
    }

    private func run() async {
        switch self.handler {
        case .unary(let run):
            await ServerConnectionHandler.runUnary(
                run, request: self.request, context: self.context, allocator: self.allocator, connection: self.connection, call: self.call
            )
        case .serverStreaming(let run):
            await ServerConnectionHandler.runStreaming(run, request: self.request, context: self.context, connection: self.connection, call: self.call)
        }
    }
}

/// The transport's side of a server-streaming call: sends responses with backpressure.
struct StreamSink: ResponseSink {
    let connection: NIOLoopBound<ServerConnectionHandler>
    let call: ServerConnectionHandler.Call

    func makeMessageBuffer() -> ByteBuffer {
        ByteBufferAllocator().buffer(capacity: 256)
    }

    func send(messageFrame: ByteBuffer, headerStart: Int) async throws(RPCError) {
        let eventLoop = self.connection.eventLoop
        let connection = self.connection
        let call = self.call
        let sent: Bool
        if eventLoop.inEventLoop {
            sent = connection.value.sendStreamed(call, buffer: messageFrame, headerStart: headerStart)
        } else {
            do {
                sent = try await eventLoop.submit {
                    connection.value.sendStreamed(call, buffer: messageFrame, headerStart: headerStart)
                }.get()
            } catch {
                sent = false
            }
        }
        guard sent else { throw RPCError(.cancelled, "the call has ended") }
        // Backpressure: wait until the connection can take more before the handler produces more.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            eventLoop.execute {
                connection.value.waitForWritability(continuation)
            }
        }
        if Task.isCancelled { throw RPCError(.cancelled, "the call has ended") }
    }
}

// Calls are only touched on the event loop (NIOLoopBound checks it); tasks and timers carry them there.
extension ServerConnectionHandler.Call: @unchecked Sendable {}
