import MMSCore
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Timeouts of every SMTP step (RFC 5321 section 4.5.3.2 gives the minimums servers expect).
public struct SMTPTimeouts: Sendable, Hashable {
    /// Opening the TCP connection.
    public var connect: TimeAmount
    /// Any command's reply, the greeting and the TLS handshake included.
    public var command: TimeAmount
    /// The reply after the message's final `.` (servers may scan it first).
    public var dataEnd: TimeAmount

    /// Creates timeouts.
    public init(connect: TimeAmount = .seconds(30), command: TimeAmount = .seconds(120), dataEnd: TimeAmount = .seconds(600)) {
        self.connect = connect
        self.command = command
        self.dataEnd = dataEnd
    }

    /// 30 s to connect, 2 minutes per command, 10 minutes after the data.
    public static var defaults: SMTPTimeouts { SMTPTimeouts() }
}

/// Receives replies and hands each to the oldest waiting request, so pipelined commands get
/// their replies in order (RFC 2920). Lives on the channel's event loop only.
final class SMTPClientHandler: ChannelInboundHandler {
    typealias InboundIn = SMTPReply

    private var waiting = CircularBuffer<EventLoopPromise<SMTPReply>>()
    private var early = CircularBuffer<SMTPReply>()
    private var closedReason: SMTPError?

    func expectReply(_ promise: EventLoopPromise<SMTPReply>) {
        if let reply = early.popFirst() { promise.succeed(reply); return }
        if let closedReason { promise.fail(closedReason); return }
        waiting.append(promise)
    }

    func failAll(_ error: SMTPError) {
        if closedReason == nil { closedReason = error }
        while let promise = waiting.popFirst() { promise.fail(error) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        if let promise = waiting.popFirst() { promise.succeed(reply) } else { early.append(reply) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(SMTPError("the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(SMTPError("the connection failed: \(error)"))
        context.close(promise: nil)
    }
}

/// One SMTP session over SwiftNIO: commands in, replies out, with a timeout on every step.
///
/// Not for concurrent use: one transaction at a time (the sender takes a connection out of its
/// pool while it uses it).
final class SMTPConnection: Sendable {
    let channel: any Channel
    private let handler: NIOLoopBound<SMTPClientHandler>
    let timeouts: SMTPTimeouts
    /// The host name, for TLS verification and messages.
    let host: String
    /// How many times this connection waited for the server (one per batch of pipelined commands).
    private let roundTripCounter = Mutex(0)

    var roundTrips: Int { roundTripCounter.withLock { $0 } }
    var isActive: Bool { channel.isActive }

    private init(channel: any Channel, handler: NIOLoopBound<SMTPClientHandler>, timeouts: SMTPTimeouts, host: String) {
        self.channel = channel
        self.handler = handler
        self.timeouts = timeouts
        self.host = host
    }

    /// Connects, with TLS from the first byte when `tls` is given (port 465 style).
    static func connect(
        host: String, port: Int, tls: NIOSSLContext?, timeouts: SMTPTimeouts, group: any EventLoopGroup
    ) async throws -> SMTPConnection {
        let serverHostname = Self.isIPAddress(host) ? nil : host
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeouts.connect)
                .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        try channel.pipeline.syncOperations.addHandler(SMTPClientHandler())
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            throw SMTPError("could not connect to \(host):\(port): \(error)")
        }
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPClientHandler.self), eventLoop: channel.eventLoop)
        }.get()
        return SMTPConnection(channel: channel, handler: handler, timeouts: timeouts, host: host)
    }

    /// Waits for `count` replies after writing `bytes` (nothing is written when `bytes` is empty:
    /// the greeting). One round trip, whatever `count` is.
    func exchange(_ bytes: [UInt8], replies count: Int, step: String, timeout: TimeAmount? = nil) async throws -> [SMTPReply] {
        let loop = channel.eventLoop
        let handler = self.handler
        let channel = self.channel
        let limit = timeout ?? timeouts.command
        roundTripCounter.withLock { $0 += 1 }
        let future: EventLoopFuture<[SMTPReply]> = loop.flatSubmit {
            var futures: [EventLoopFuture<SMTPReply>] = []
            for _ in 0..<count {
                let promise = loop.makePromise(of: SMTPReply.self)
                handler.value.expectReply(promise)
                futures.append(promise.futureResult)
            }
            if !bytes.isEmpty { channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil) }
            let all = EventLoopFuture.whenAllSucceed(futures, on: loop)
            let timer = loop.scheduleTask(in: limit) {
                handler.value.failAll(SMTPError("no reply to \(step) from the server within \(limit.nanoseconds / 1_000_000_000) s"))
                channel.close(promise: nil)
            }
            all.whenComplete { _ in timer.cancel() }
            return all
        }
        do {
            return try await future.get()
        } catch let error as SMTPError {
            channel.close(promise: nil)
            throw SMTPError("\(step): \(error.message)")
        } catch {
            channel.close(promise: nil)
            throw SMTPError("\(step): \(error)")
        }
    }

    /// Sends one command line (CRLF added) and returns its reply.
    func command(_ line: String, step: String? = nil) async throws -> SMTPReply {
        try await exchange(Array((line + "\r\n").utf8), replies: 1, step: step ?? line)[0]
    }

    /// Turns TLS on after the server's `220` to STARTTLS: the TLS handler goes first in the pipeline.
    func startTLS(_ context: NIOSSLContext) async throws {
        let serverHostname = Self.isIPAddress(host) ? nil : host
        let channel = self.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(
                try NIOSSLClientHandler(context: context, serverHostname: serverHostname), position: .first)
        }.get()
    }

    /// Ends the session politely (QUIT), then closes.
    func quit() async {
        _ = try? await exchange(Array("QUIT\r\n".utf8), replies: 1, step: "QUIT", timeout: .seconds(5))
        try? await channel.close()
    }

    /// Closes at once.
    func close() {
        channel.close(promise: nil)
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
