import MMSWire
import NIOCore
import NIOPosix
import Synchronization

/// A plain TCP client for tests that speak to the server byte by byte, as a foreign
/// or broken peer would: it sends what it is given and returns what it got until the server closed.
enum RawSocket {
    /// Sends `bytes`, then collects everything the server writes until it closes the connection
    /// or `timeout` passes. Returns the bytes and whether the server closed.
    static func exchange(port: Int, send bytes: [UInt8], timeout: Duration = .seconds(5)) async throws -> (received: [UInt8], closedByServer: Bool) {
        let group = MultiThreadedEventLoopGroup.singleton
        let collector = Collector()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(CollectingHandler(collector: collector)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        let clock = ContinuousClock()
        let end = clock.now + timeout
        while clock.now < end, !collector.closed {
            try await Task.sleep(for: .milliseconds(5))
        }
        let closed = collector.closed
        if !closed { try? await channel.close() }
        return (collector.bytes, closed)
    }

    /// Reads frames from `bytes` after the server's preface.
    static func frames(in bytes: [UInt8]) throws -> [Frame] {
        var buffer = ByteBuffer(bytes: bytes)
        var decoder = FrameDecoder()
        var frames: [Frame] = []
        while let event = try decoder.decode(buffer: &buffer) {
            if case .frame(let frame) = event { frames.append(frame) }
        }
        return frames
    }

    final class Collector: Sendable {
        private let state = Mutex<([UInt8], Bool)>(([], false))
        func append(_ bytes: [UInt8]) { self.state.withLock { $0.0 += bytes } }
        func close() { self.state.withLock { $0.1 = true } }
        var bytes: [UInt8] { self.state.withLock { $0.0 } }
        var closed: Bool { self.state.withLock { $0.1 } }
    }

    final class CollectingHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let collector: Collector
        init(collector: Collector) { self.collector = collector }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = self.unwrapInboundIn(data)
            self.collector.append(buffer.readBytes(length: buffer.readableBytes) ?? [])
        }
        func channelInactive(context: ChannelHandlerContext) { self.collector.close() }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }
}

extension Array where Element == UInt8 {
    /// The MMS preface, optionally with another version.
    static func preface(major: UInt8 = 1, minor: UInt8 = 0) -> [UInt8] {
        Array("MMSRPC".utf8) + [major, minor]
    }

    /// A frame with an arbitrary header, for sending what a well-behaved client never would.
    static func frame(type: UInt8, flags: UInt8 = 0, callID: UInt32, payload: [UInt8], declaredLength: UInt32? = nil) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeMultipleIntegers(declaredLength ?? UInt32(payload.count), type, flags, callID)
        buffer.writeBytes(payload)
        return buffer.readBytes(length: buffer.readableBytes)!
    }

    /// A REQUEST frame for `method` carrying `message`.
    static func request(callID: UInt32, method: String, message: [UInt8], metadata: Metadata = Metadata()) -> [UInt8] {
        var payload = ByteBuffer()
        try! payload.writeRequestHead(RequestHead(method: method, timeoutMicroseconds: 0, metadata: metadata))
        payload.writeBytes(message)
        return .frame(type: FrameType.request.rawValue, callID: callID, payload: payload.readBytes(length: payload.readableBytes)!)
    }
}

extension RawSocket {
    /// A connection kept open by the test, which sends and reads at its own pace.
    struct Connection {
        let channel: any Channel
        let collector: Collector

        func send(_ bytes: [UInt8]) async throws {
            try await self.channel.writeAndFlush(ByteBuffer(bytes: bytes))
        }

        /// Waits until at least `count` bytes have arrived (or the server closed, or 10 s passed).
        @discardableResult
        func waitForBytes(_ count: Int) async throws -> [UInt8] {
            let clock = ContinuousClock()
            let end = clock.now + .seconds(10)
            while clock.now < end, self.collector.bytes.count < count, !self.collector.closed {
                try await Task.sleep(for: .milliseconds(2))
            }
            return self.collector.bytes
        }

        /// Waits until the server has closed the connection (or 10 s passed); true if it did.
        func waitForClose() async throws -> Bool {
            let clock = ContinuousClock()
            let end = clock.now + .seconds(10)
            while clock.now < end, !self.collector.closed {
                try await Task.sleep(for: .milliseconds(2))
            }
            return self.collector.closed
        }

        func close() async throws {
            try? await self.channel.close()
        }
    }

    /// Opens a TCP connection to the server and collects what it sends.
    static func open(port: Int) async throws -> Connection {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(CollectingHandler(collector: collector)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return Connection(channel: channel, collector: collector)
    }
}
