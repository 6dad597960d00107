import MMSWire
import NIOCore
import NIOTestUtils
import Testing

@Suite("Frame decoder")
struct FrameDecoderTests {
    private func bytes(preface: Bool = true, _ frames: [Frame]) -> ByteBuffer {
        var buffer = ByteBuffer()
        if preface { WireProtocol.writePreface(into: &buffer) }
        for frame in frames { try! buffer.writeFrame(frame) }
        return buffer
    }

    private let sampleFrames: [Frame] = [
        Frame(type: .settings, callID: 0, payload: ByteBuffer(bytes: [0, 1, 0, 0, 0, 9])),
        Frame(type: .request, callID: 1, payload: ByteBuffer(string: "hello")),
        Frame(type: .response, flags: .endOK, callID: 1, payload: ByteBuffer(string: "wörld 🌍")),
        Frame(type: .cancel, callID: 7, payload: ByteBuffer()),
        Frame(type: .ping, callID: 0, payload: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])),
        Frame(type: .status, callID: 0xFFFF_FFFF, payload: ByteBuffer(bytes: Array(repeating: 0xAB, count: 3000))),
    ]

    @Test("decodes frames fed byte by byte, all at once and in random splits (ByteToMessageDecoderVerifier)")
    func verifierRoundTrip() throws {
        // The verifier feeds the inputs many times to one decoder, so the preface is consumed up front.
        let pairs = self.sampleFrames.map { frame in (self.bytes(preface: false, [frame]), [InboundEvent.frame(frame)]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: pairs,
            decoderFactory: {
                var decoder = FrameDecoder()
                var preface = ByteBuffer()
                WireProtocol.writePreface(into: &preface)
                _ = try? decoder.decode(buffer: &preface)
                return decoder
            }
        )
    }

    @Test("decodes the preface fed byte by byte")
    func prefaceByteByByte() throws {
        var all = self.bytes([])
        var decoder = FrameDecoder()
        var buffer = ByteBuffer()
        var events: [InboundEvent] = []
        while let byte = all.readInteger(as: UInt8.self) {
            buffer.writeInteger(byte)
            if let event = try decoder.decode(buffer: &buffer) { events.append(event) }
        }
        #expect(events == [.preface(WireProtocol.version)])
    }

    @Test("decodes frames split at every possible byte boundary")
    func everySplit() throws {
        let input = self.bytes(self.sampleFrames)
        let all = Array(input.readableBytesView)
        for split in 1..<all.count {
            var decoder = FrameDecoder()
            var events: [InboundEvent] = []
            var buffer = ByteBuffer(bytes: all[..<split])
            while let event = try decoder.decode(buffer: &buffer) { events.append(event) }
            buffer.writeBytes(all[split...])
            while let event = try decoder.decode(buffer: &buffer) { events.append(event) }
            #expect(events.count == 1 + self.sampleFrames.count, "split at \(split)")
        }
    }

    @Test("a length over the limit fails as soon as the header is in, before any payload")
    func oversizedLength() throws {
        var buffer = ByteBuffer()
        WireProtocol.writePreface(into: &buffer)
        try buffer.writeFrameHeader(type: .request, callID: 1, length: 4 * 1024 * 1024 + 1)
        var decoder = FrameDecoder()
        _ = try decoder.decode(buffer: &buffer)  // the preface
        #expect(throws: WireError.self) { _ = try decoder.decode(buffer: &buffer) }
        do {
            _ = try decoder.decode(buffer: &buffer)
        } catch let error as WireError {
            #expect(error.code == .frameTooLarge)
            #expect(error.message.contains("4194305"))
        }
    }

    @Test("a custom limit is honoured exactly: at the limit passes, one byte over fails")
    func limitBoundary() throws {
        var atLimit = self.bytes([Frame(type: .request, callID: 1, payload: ByteBuffer(repeating: 1, count: 100))])
        var decoder = FrameDecoder(maxPayload: 100)
        #expect(try decoder.decode(buffer: &atLimit) == .preface(WireProtocol.version))
        #expect(try decoder.decode(buffer: &atLimit) != nil)

        var overLimit = self.bytes([Frame(type: .request, callID: 1, payload: ByteBuffer(repeating: 1, count: 101))])
        var strict = FrameDecoder(maxPayload: 100)
        _ = try strict.decode(buffer: &overLimit)
        #expect(throws: WireError.self) { _ = try strict.decode(buffer: &overLimit) }
    }

    @Test("bad magic fails on the first wrong byte and says what it saw")
    func badMagic() throws {
        var buffer = ByteBuffer(string: "MMX")
        var decoder = FrameDecoder()
        do {
            _ = try decoder.decode(buffer: &buffer)
            Issue.record("expected an error")
        } catch let error as WireError {
            #expect(error.code == .badPreface)
            #expect(error.message.contains("MMX"))
            #expect(!error.looksLikeHTTP)
        }
    }

    @Test("an HTTP request is recognised as HTTP")
    func httpRecognised() throws {
        for request in ["GET / HTTP/1.1\r\n", "POST /x HTTP/1.1\r\n", "PRI * HTTP/2.0\r\n"] {
            var buffer = ByteBuffer(string: request)
            var decoder = FrameDecoder()
            do {
                _ = try decoder.decode(buffer: &buffer)
                Issue.record("expected an error for \(request)")
            } catch let error as WireError {
                #expect(error.looksLikeHTTP, "\(request)")
            }
        }
    }

    @Test("the preface carries the version, so a mismatched version is seen by the receiver")
    func wrongVersion() throws {
        var buffer = ByteBuffer(bytes: Array("MMSRPC".utf8) + [7, 3])
        var decoder = FrameDecoder()
        #expect(try decoder.decode(buffer: &buffer) == .preface(ProtocolVersion(major: 7, minor: 3)))
    }

    @Test("an unknown frame type is a protocol error naming the type")
    func unknownType() throws {
        var buffer = ByteBuffer()
        WireProtocol.writePreface(into: &buffer)
        buffer.writeMultipleIntegers(UInt32(0), UInt8(0x99), UInt8(0), UInt32(1))
        var decoder = FrameDecoder()
        _ = try decoder.decode(buffer: &buffer)
        do {
            _ = try decoder.decode(buffer: &buffer)
            Issue.record("expected an error")
        } catch let error as WireError {
            #expect(error.code == .protocolError)
            #expect(error.message.contains("0x99"))
        }
    }

    @Test("call ids: connection frames need 0, call frames need non-zero")
    func callIDRules() throws {
        for (type, id) in [(FrameType.ping, UInt32(3)), (FrameType.request, UInt32(0)), (FrameType.goAway, UInt32(1))] {
            var buffer = self.bytes([Frame(type: type, callID: id, payload: ByteBuffer())])
            var decoder = FrameDecoder()
            _ = try decoder.decode(buffer: &buffer)
            #expect(throws: WireError.self, "\(type) with call id \(id)") { _ = try decoder.decode(buffer: &buffer) }
        }
    }

    @Test("a truncated frame at end of stream is an error; a partial one waits for more bytes")
    func truncated() throws {
        var buffer = self.bytes([Frame(type: .request, callID: 1, payload: ByteBuffer(string: "0123456789"))])
        buffer.moveWriterIndex(to: buffer.writerIndex - 4)
        var decoder = FrameDecoder()
        #expect(try decoder.decode(buffer: &buffer) == .preface(WireProtocol.version))
        #expect(try decoder.decode(buffer: &buffer) == nil)
        do {
            _ = try decoder.decodeLast(buffer: &buffer, seenEOF: true)
            Issue.record("expected an error")
        } catch let error as WireError {
            #expect(error.message.contains("in the middle of a frame"))
        }
    }
}

@Suite("Frame payloads")
struct PayloadTests {
    @Test("request head, status, GOAWAY and settings round-trip")
    func roundTrips() throws {
        var buffer = ByteBuffer()
        let head = RequestHead(method: "mms.v1.Health/Check", timeoutMicroseconds: 1_500_000, metadata: ["authorization": "Bearer 🔑", "x": "1"])
        try buffer.writeRequestHead(head)
        buffer.writeString("message")
        #expect(try buffer.readRequestHead(maxMetadataSize: 8192) == head)
        #expect(String(buffer: buffer) == "message")

        var statusBuffer = ByteBuffer()
        let status = StatusPayload(code: 5, message: "user ashaw@contoso.com not found", details: [1, 2, 3], metadata: ["retry-after": "5"])
        try statusBuffer.writeStatusPayload(status)
        #expect(try statusBuffer.readStatusPayload(maxMetadataSize: 8192) == status)

        var goAwayBuffer = ByteBuffer()
        goAwayBuffer.writeGoAwayPayload(GoAwayPayload(code: .idleTimeout, reason: "idle"))
        #expect(try goAwayBuffer.readGoAwayPayload() == GoAwayPayload(code: .idleTimeout, reason: "idle"))

        var settingsBuffer = ByteBuffer()
        let settings = ConnectionSettings(maxFramePayload: 1000, maxConcurrentCalls: 7, maxMetadataSize: 99)
        settingsBuffer.writeSettings(settings)
        settingsBuffer.writeMultipleIntegers(UInt16(0x7777), UInt32(5))  // unknown settings are ignored
        #expect(try settingsBuffer.readSettings(defaults: ConnectionSettings(maxFramePayload: 0, maxConcurrentCalls: 0, maxMetadataSize: 0)) == settings)
    }

    @Test("metadata over the cap is rejected as over the limit")
    func metadataCap() throws {
        var buffer = ByteBuffer()
        try buffer.writeMetadata(["k": String(repeating: "v", count: 100)])
        #expect {
            _ = try buffer.readMetadata(maxSize: 50)
        } throws: { error in
            (error as? PayloadError)?.overLimit == true
        }
    }

    @Test("metadata keys must be lower-case tokens")
    func metadataKeys() throws {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt16(1))
        try buffer.writeLengthPrefixedString("Bad Key", as: UInt16.self)
        try buffer.writeLengthPrefixedString("v", as: UInt16.self)
        #expect(throws: PayloadError.self) { _ = try buffer.readMetadata(maxSize: 8192) }
    }

    @Test("invalid UTF-8 in a method name is rejected, not repaired")
    func invalidUTF8() throws {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt16(2))
        buffer.writeBytes([0xC3, 0x28])
        #expect(throws: PayloadError.self) { _ = try buffer.readLengthPrefixedString(as: UInt16.self, what: "method name") }
    }
}
