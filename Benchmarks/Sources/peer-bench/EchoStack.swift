import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOPosix

/// The floor: a bare SwiftNIO server that echoes length-prefixed frames (4-byte length, then
/// the payload) with no RPC layer at all; its client pipelines requests on each connection and
/// matches replies in order.
enum EchoStack {
    static func serve(port: Int, threads: Int) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LengthFieldBasedFrameDecoder(lengthFieldBitLength: .fourBytes)))
                    try channel.pipeline.syncOperations.addHandler(EchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        try await channel.closeFuture.get()
    }

    /// Writes every frame back with its length prefix, flushing once per read burst.
    final class EchoHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let payload = unwrapInboundIn(data)
            var frame = context.channel.allocator.buffer(capacity: 4 + payload.readableBytes)
            frame.writeInteger(UInt32(payload.readableBytes))
            frame.writeImmutableBuffer(payload)
            context.write(wrapOutboundOut(frame), promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }
    }

    /// One pipelined echo connection.
    final class Connection: BenchConnection, @unchecked Sendable {
        // Touched only on the channel's event loop.
        private let channel: any Channel
        private let replies: ReplyQueue
        private static let payload = ByteBuffer(repeating: 0x2A, count: 32)

        init(port: Int) throws {
            let replies = ReplyQueue()
            self.replies = replies
            self.channel = try ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LengthFieldBasedFrameDecoder(lengthFieldBitLength: .fourBytes)))
                        try channel.pipeline.syncOperations.addHandler(replies)
                    }
                }
                .connect(host: "127.0.0.1", port: port).wait()
        }

        func call(_ call: BenchCall, identity: String) async throws {
            let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
            let channel = self.channel
            let replies = self.replies
            channel.eventLoop.execute {
                replies.waiting.append(promise)
                var frame = channel.allocator.buffer(capacity: 4 + Self.payload.readableBytes)
                frame.writeInteger(UInt32(Self.payload.readableBytes))
                frame.writeImmutableBuffer(Self.payload)
                channel.writeAndFlush(frame, promise: nil)
            }
            _ = try await promise.futureResult.get()
        }

        func close() async { try? await channel.close() }
    }

    /// Completes the oldest waiting call with each reply.
    final class ReplyQueue: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        // Touched only on the channel's event loop.
        var waiting = CircularBuffer<EventLoopPromise<ByteBuffer>>()

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            waiting.popFirst()?.succeed(unwrapInboundIn(data))
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            while let promise = waiting.popFirst() { promise.fail(error) }
            context.close(promise: nil)
        }
    }
}
