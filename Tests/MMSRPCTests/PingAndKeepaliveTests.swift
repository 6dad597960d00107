import Logging
import MMSRPC
@testable import MMSRPCServer
import MMSWire
import NIOCore
import NIOEmbedded
import Testing

/// The server's connection on an `EmbeddedChannel`: no socket, and time moves only when the test
/// says so (`advanceTime`), so the timers are tested without sleeping.
struct EmbeddedServerConnection {
    let channel: EmbeddedChannel
    private var decoder = FrameDecoder()

    init(configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, eventLoopThreads: 1)
        configure(&configuration)
        var logger = Logger(label: "embedded-server")
        logger.logLevel = .critical
        self.channel = EmbeddedChannel()
        try self.channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
        try self.channel.pipeline.syncOperations.addHandler(ServerConnectionHandler(router: RPCRouter(), configuration: configuration, logger: logger))
        try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        try self.send(.preface(major: 1, minor: 1))
        // The server's preface and SETTINGS.
        #expect(try self.receivedFrames().map(\.type) == [.settings])
    }

    func send(_ bytes: [UInt8]) throws {
        try self.channel.writeInbound(ByteBuffer(bytes: bytes))
    }

    /// Frames the server wrote since the last call.
    mutating func receivedFrames() throws -> [Frame] {
        self.channel.embeddedEventLoop.run()
        var frames: [Frame] = []
        while var buffer = try self.channel.readOutbound(as: ByteBuffer.self) {
            while let event = try self.decoder.decode(buffer: &buffer) {
                if case .frame(let frame) = event { frames.append(frame) }
            }
        }
        return frames
    }

    func advanceTime(by amount: TimeAmount) {
        self.channel.embeddedEventLoop.advanceTime(by: amount)
    }

    var isOpen: Bool { self.channel.isActive }
}

extension Array where Element == UInt8 {
    static func ping(_ data: UInt64) -> [UInt8] {
        var payload = ByteBuffer()
        payload.writeInteger(data)
        return .frame(type: FrameType.ping.rawValue, callID: 0, payload: Array(payload.readableBytesView))
    }
}

func goAway(in frames: [Frame]) throws -> GoAwayPayload? {
    guard var payload = frames.last(where: { $0.type == .goAway })?.payload else { return nil }
    return try payload.readGoAwayPayload()
}

@Suite("§7 PING/PONG and keepalive (docs/PROTOCOL.md), on an embedded channel with a manual clock")
struct PingAndKeepaliveTests {
    @Test("§7 PING: a PING of 8 bytes is answered with a PONG echoing them")
    func pingAnswered() throws {
        var connection = try EmbeddedServerConnection()
        try connection.send(.ping(0xDEAD_BEEF))
        let frames = try connection.receivedFrames()
        #expect(frames.map(\.type) == [.pong])
        #expect(frames.first?.payload.getInteger(at: frames.first!.payload.readerIndex, as: UInt64.self) == 0xDEAD_BEEF)
        #expect(connection.isOpen)
    }

    @Test("§7 PING: a PING whose payload is not 8 bytes closes the connection with GOAWAY PROTOCOL_ERROR", arguments: [0, 7, 9, 64])
    func pingOfWrongLength(length: Int) throws {
        var connection = try EmbeddedServerConnection()
        try connection.send(.frame(type: FrameType.ping.rawValue, callID: 0, payload: Array(repeating: 1, count: length)))
        let frames = try connection.receivedFrames()
        #expect(!frames.contains { $0.type == .pong })
        let goAway = try #require(try goAway(in: frames))
        #expect(goAway.code == .protocolError)
        #expect(goAway.reason.contains("\(length) bytes, not 8"))
        #expect(!connection.isOpen)
    }

    @Test("§7 ping policy: more than 2 PINGs sooner than the minimum interval, with no call data, get GOAWAY TOO_MANY_PINGS")
    func tooManyPings() throws {
        var connection = try EmbeddedServerConnection()
        // The first PING is fine; the next two are strikes, still answered; the fourth is one too many.
        for data in 1...3 {
            try connection.send(.ping(UInt64(data)))
            #expect(try connection.receivedFrames().map(\.type) == [.pong])
        }
        try connection.send(.ping(4))
        let frames = try connection.receivedFrames()
        #expect(try goAway(in: frames)?.code == .tooManyPings)
        #expect(!connection.isOpen)
    }

    @Test("§7 ping policy: PINGs at the minimum interval are all answered")
    func pingsAtTheIntervalAreFine() throws {
        var connection = try EmbeddedServerConnection { $0.timeouts.minimumPingInterval = .seconds(10) }
        for data in 1...20 {
            try connection.send(.ping(UInt64(data)))
            #expect(try connection.receivedFrames().map(\.type) == [.pong])
            connection.advanceTime(by: .seconds(10))
            // Our own keepalive PINGs (every 60 s) are answered so the connection stays up.
            for frame in try connection.receivedFrames() where frame.type == .ping {
                try connection.send(.frame(type: FrameType.pong.rawValue, callID: 0, payload: Array(frame.payload.readableBytesView)))
            }
        }
        #expect(connection.isOpen)
    }

    @Test("§7 keepalive: the server PINGs every keepalive interval; no PONG within the keepalive timeout closes with KEEPALIVE_TIMEOUT")
    func keepaliveTimeout() throws {
        var connection = try EmbeddedServerConnection {
            $0.timeouts.keepaliveInterval = .seconds(30)
            $0.timeouts.keepaliveTimeout = .seconds(5)
        }
        connection.advanceTime(by: .seconds(29))
        #expect(try connection.receivedFrames().isEmpty)
        connection.advanceTime(by: .seconds(1))
        let ping = try #require(try connection.receivedFrames().first)
        #expect(ping.type == .ping && ping.payload.readableBytes == 8)
        // Answered: the connection stays up past the timeout and the next PING comes 30 s later.
        try connection.send(.frame(type: FrameType.pong.rawValue, callID: 0, payload: Array(ping.payload.readableBytesView)))
        connection.advanceTime(by: .seconds(29))
        #expect(try connection.receivedFrames().isEmpty)
        #expect(connection.isOpen)
        connection.advanceTime(by: .seconds(1))
        #expect(try connection.receivedFrames().map(\.type) == [.ping])
        // Not answered: closed once the timeout passes, not before.
        connection.advanceTime(by: .milliseconds(4999))
        #expect(connection.isOpen)
        connection.advanceTime(by: .milliseconds(1))
        #expect(try goAway(in: connection.receivedFrames())?.code == .keepaliveTimeout)
        #expect(!connection.isOpen)
    }

    @Test("§7 idle: a connection with no call for the idle timeout gets GOAWAY IDLE_TIMEOUT naming the last call id 0")
    func idleTimeout() throws {
        var connection = try EmbeddedServerConnection {
            $0.timeouts.idle = .seconds(120)
            $0.timeouts.keepaliveInterval = .seconds(3600)
        }
        connection.advanceTime(by: .seconds(119))
        #expect(connection.isOpen)
        connection.advanceTime(by: .seconds(1))
        let goAway = try #require(try goAway(in: connection.receivedFrames()))
        #expect(goAway.code == .idleTimeout)
        #expect(goAway.lastCallID == 0)
        #expect(!connection.isOpen)
    }

    @Test("ping policy: strikes are counted only without call data between PINGs")
    func pingPolicyForgivesAfterData() {
        var policy = PingPolicy(minimumInterval: .seconds(10), maxStrikes: 2)
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(policy.receivedPing(at: start) == .answer)
        #expect(policy.receivedPing(at: start + .seconds(1)) == .answer)
        #expect(policy.receivedPing(at: start + .seconds(2)) == .answer)
        #expect(policy.strikes == 2)
        policy.sentData()
        #expect(policy.receivedPing(at: start + .seconds(3)) == .answer)
        #expect(policy.strikes == 0)
        #expect(policy.receivedPing(at: start + .seconds(4)) == .answer)
        #expect(policy.receivedPing(at: start + .seconds(5)) == .answer)
        #expect(policy.receivedPing(at: start + .seconds(6)) == .tooManyPings)
    }
}
