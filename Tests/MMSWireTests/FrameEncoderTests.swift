import MMSWire
import NIOCore
import Testing

@Suite("Frame encoder")
struct FrameEncoderTests {
    let encoder = FrameEncoder()

    private func decodeAll(_ buffer: ByteBuffer) throws -> [InboundEvent] {
        var buffer = buffer
        var decoder = FrameDecoder()
        var events: [InboundEvent] = []
        while let event = try decoder.decode(buffer: &buffer) { events.append(event) }
        #expect(buffer.readableBytes == 0)
        return events
    }

    @Test("every frame the encoder builds is read back by the decoder as built")
    func everyFrameRoundTrips() throws {
        var buffer = ByteBuffer()
        self.encoder.writePreface(into: &buffer)
        let settings = ConnectionSettings(maxFramePayload: 1 << 20, maxConcurrentCalls: 64, maxMetadataSize: 4096)
        self.encoder.writeSettings(settings, into: &buffer)
        self.encoder.writePing(0x0102_0304_0506_0708, into: &buffer)
        self.encoder.writePong(42, into: &buffer)
        self.encoder.writeCancel(callID: 9, into: &buffer)
        let status = StatusPayload(code: 5, message: "not found", details: [1, 2], metadata: ["k": "v"])
        try self.encoder.writeStatus(status, callID: 9, into: &buffer)
        let goAway = GoAwayPayload(code: .noError, reason: "shutting down", lastCallID: 41)
        self.encoder.writeGoAway(goAway, into: &buffer)

        let events = try self.decodeAll(buffer)
        #expect(events.count == 7)
        #expect(events.first == .preface(WireProtocol.version))
        let frames = events.compactMap { event -> Frame? in if case .frame(let frame) = event { return frame } else { return nil } }
        #expect(frames.map(\.type) == [.settings, .ping, .pong, .cancel, .status, .goAway])
        var settingsPayload = frames[0].payload
        #expect(try settingsPayload.readSettings(defaults: ConnectionSettings(maxFramePayload: 0, maxConcurrentCalls: 0, maxMetadataSize: 0)) == settings)
        #expect(frames[1].payload.getInteger(at: frames[1].payload.readerIndex, as: UInt64.self) == 0x0102_0304_0506_0708)
        #expect(frames[1].payload.readableBytes == 8 && frames[2].payload.readableBytes == 8)
        #expect(frames[3].callID == 9 && frames[3].payload.readableBytes == 0)
        var statusPayload = frames[4].payload
        #expect(frames[4].callID == 9)
        #expect(try statusPayload.readStatusPayload(maxMetadataSize: 100) == status)
        var goAwayPayload = frames[5].payload
        #expect(try goAwayPayload.readGoAwayPayload() == goAway)
    }

    @Test("a status message longer than its u16 length throws, and nothing is written")
    func statusMessageOverflowThrows() throws {
        var buffer = ByteBuffer()
        self.encoder.writeCancel(callID: 1, into: &buffer)
        let before = buffer
        let status = StatusPayload(code: 13, message: String(repeating: "x", count: 65_536))
        #expect(throws: FrameEncodingError.self) { try self.encoder.writeStatus(status, callID: 1, into: &buffer) }
        #expect(buffer == before)
        // 65,535 bytes still fit.
        try self.encoder.writeStatus(StatusPayload(code: 13, message: String(repeating: "x", count: 65_535)), callID: 1, into: &buffer)
    }

    @Test("a method name, a metadata key or value over 65,535 bytes throws rather than being truncated")
    func requestHeadOverflowThrows() throws {
        var buffer = ByteBuffer()
        let longMethod = RequestHead(method: String(repeating: "m", count: 70_000))
        #expect(throws: FrameEncodingError.self) { try buffer.writeRequestHead(longMethod) }
        var metadata = Metadata()
        metadata.add(String(repeating: "v", count: 65_536), forKey: "k")
        #expect(throws: FrameEncodingError.self) { try buffer.writeRequestHead(RequestHead(method: "a/b", metadata: metadata)) }
    }

    @Test("a frame length over 32 bits throws")
    func frameLengthOverflowThrows() throws {
        var buffer = ByteBuffer()
        #expect(throws: FrameEncodingError.self) { try buffer.writeFrameHeader(type: .response, callID: 1, length: Int(UInt32.max) + 1) }
        #expect(buffer.readableBytes == 0)
        try buffer.writeFrameHeader(type: .response, callID: 1, length: Int(UInt32.max))
        #expect(buffer.readableBytes == WireProtocol.frameHeaderLength)
    }

    @Test("a GOAWAY without the last call id (protocol 1.0) reads as nil; its reason is cut to 1 KiB of whole characters")
    func goAwayLayouts() throws {
        var old = ByteBuffer()
        old.writeInteger(UInt32(0))
        try old.writeLengthPrefixedString("bye", as: UInt16.self)
        #expect(try old.readGoAwayPayload() == GoAwayPayload(code: .noError, reason: "bye", lastCallID: nil))

        var buffer = ByteBuffer()
        let long = String(repeating: "é", count: 600)  // 1,200 bytes
        buffer.writeGoAwayPayload(GoAwayPayload(code: .internalError, reason: long, lastCallID: 7))
        let read = try buffer.readGoAwayPayload()
        #expect(read.reason.utf8.count == 1024)
        #expect(read.reason == String(repeating: "é", count: 512))
        #expect(read.lastCallID == 7)
    }
}
