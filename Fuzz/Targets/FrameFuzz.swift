#if !FUZZING
@testable import MMSWire
#endif
import NIOCore

/// Target `frame` (Sources/MMSWire): the connection decoder (preface, then frames) and the
/// payload decoders of REQUEST (head: method, timeout, metadata), STATUS, GOAWAY and SETTINGS.
///
/// The first byte picks what the rest is fed to. Properties:
/// - **Stream.** Decoding the bytes in one buffer and in small pieces (sizes drawn from the
///   input) gives the same events and fails, if at all, after the same events with the same
///   GOAWAY code. Writing the decoded preface and frames back gives exactly the bytes consumed.
/// - **Payloads.** A payload that decodes is written back to exactly the bytes it was read from;
///   one that does not is refused with a `PayloadError`, never a crash.
enum FrameFuzz {
    static let name = "frame"
    static let maxPayload = 1 << 16
    static let maxMetadata = WireProtocol.defaultMaxMetadataSize

    static func check(_ data: [UInt8]) throws(PropertyFailure) {
        var input = FuzzBytes(data)
        switch input.byte() % 5 {
        case 0: try stream(input.rest())
        case 1: try requestHead(input.rest())
        case 2: try statusPayload(input.rest())
        case 3: try goAway(input.rest())
        default: try settings(input.rest())
        }
    }

    /// What decoding a stream gave: its events, then the GOAWAY code of the error that ended it.
    struct Outcome: Equatable {
        var events: [InboundEvent] = []
        var error: GoAwayCode?
        var consumed = 0
    }

    static func decode(_ bytes: [UInt8], chunkSizes: [Int]) -> Outcome {
        var decoder = FrameDecoder(maxPayload: maxPayload)
        var buffer = ByteBuffer()
        var outcome = Outcome()
        var offset = 0
        var chunk = 0
        while true {
            let size = chunkSizes.isEmpty ? bytes.count : max(1, chunkSizes[chunk % chunkSizes.count])
            chunk += 1
            let end = min(bytes.count, offset + size)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            do {
                while let event = try decoder.decode(buffer: &buffer) {
                    outcome.events.append(event)
                }
            } catch {
                outcome.error = (error as? WireError)?.code ?? GoAwayCode(rawValue: .max)
                return outcome
            }
            if offset == bytes.count { break }
        }
        outcome.consumed = bytes.count - buffer.readableBytes
        return outcome
    }

    static func stream(_ data: [UInt8]) throws(PropertyFailure) {
        var input = FuzzBytes(data)
        let chunkSizes = input.take(4).map { Int($0 % 16) + 1 }
        let bytes = input.rest()
        let whole = decode(bytes, chunkSizes: [])
        let pieces = decode(bytes, chunkSizes: chunkSizes)
        try require(whole.events == pieces.events && whole.error == pieces.error,
                    "one buffer gave \(whole.events.count) events then \(String(describing: whole.error)); pieces \(chunkSizes) gave \(pieces.events.count) then \(String(describing: pieces.error))")
        // Written back, the events are exactly the bytes they came from.
        var written = ByteBuffer()
        for event in whole.events {
            switch event {
            case .preface(let version): WireProtocol.writePreface(into: &written, version: version)
            case .frame(let frame):
                do {
                    try written.writeFrame(frame)
                } catch {
                    throw PropertyFailure(description: "a decoded frame could not be written back: \(error)")
                }
            }
        }
        let rewritten = Array(written.readableBytesView)
        try require(Array(bytes.prefix(rewritten.count)) == rewritten,
                    "frames written back differ from the bytes read: \(describe(rewritten)) vs \(describe(bytes.prefix(rewritten.count)))")
        if whole.error == nil {
            try require(rewritten.count == whole.consumed, "decoder consumed \(whole.consumed) bytes but its events are \(rewritten.count) bytes")
        }
        // Every REQUEST and STATUS payload goes through its own decoder too.
        for case .frame(let frame) in whole.events {
            if frame.type == .request { try requestHead(Array(frame.payload.readableBytesView)) }
            if frame.type == .status { try statusPayload(Array(frame.payload.readableBytesView)) }
            if frame.type == .goAway { try goAway(Array(frame.payload.readableBytesView)) }
            if frame.type == .settings { try settings(Array(frame.payload.readableBytesView)) }
        }
    }

    /// `bytes` read by `read`, then written back by `write`: the bytes consumed come back unchanged.
    static func roundTrip<Value>(
        _ what: String, _ bytes: [UInt8],
        read: (inout ByteBuffer) throws(PayloadError) -> Value,
        write: (inout ByteBuffer, Value) throws(FrameEncodingError) -> Void
    ) throws(PropertyFailure) -> Value? {
        var buffer = ByteBuffer(bytes: bytes)
        let value: Value
        do throws(PayloadError) {
            value = try read(&buffer)
        } catch {
            try require(!error.message.isEmpty, "\(what): a PayloadError without a message")
            return nil
        }
        let consumed = bytes.count - buffer.readableBytes
        var out = ByteBuffer()
        do {
            try write(&out, value)
        } catch {
            throw PropertyFailure(description: "\(what) read could not be written back: \(error)")
        }
        let rewritten = Array(out.readableBytesView)
        try require(rewritten == Array(bytes.prefix(consumed)),
                    "\(what) written back is \(describe(rewritten)), read from \(describe(bytes.prefix(consumed)))")
        return value
    }

    static func requestHead(_ bytes: [UInt8]) throws(PropertyFailure) {
        let head = try roundTrip("request head", bytes,
                                 read: { (buffer: inout ByteBuffer) throws(PayloadError) in try buffer.readRequestHead(maxMetadataSize: maxMetadata) },
                                 write: { (buffer: inout ByteBuffer, head: RequestHead) throws(FrameEncodingError) in try buffer.writeRequestHead(head) })
        if let head {
            try require(head.metadata.encodedContentSize <= maxMetadata, "metadata of \(head.metadata.encodedContentSize) bytes passed a cap of \(maxMetadata)")
            try require(head.metadata.allSatisfy { Metadata.isValidKey($0.key) }, "an invalid metadata key was accepted")
        }
    }

    static func statusPayload(_ bytes: [UInt8]) throws(PropertyFailure) {
        _ = try roundTrip("status payload", bytes,
                          read: { (buffer: inout ByteBuffer) throws(PayloadError) in try buffer.readStatusPayload(maxMetadataSize: maxMetadata) },
                          write: { (buffer: inout ByteBuffer, status: StatusPayload) throws(FrameEncodingError) in try buffer.writeStatusPayload(status) })
    }

    static func goAway(_ bytes: [UInt8]) throws(PropertyFailure) {
        var buffer = ByteBuffer(bytes: bytes)
        guard let payload = try? buffer.readGoAwayPayload() else { return }
        // A reason over 1 KiB is cut when written (WireProtocol's writer); shorter ones come back whole.
        guard payload.reason.utf8.count <= 1024 else { return }
        _ = try roundTrip("GOAWAY payload", bytes,
                          read: { (buffer: inout ByteBuffer) throws(PayloadError) in try buffer.readGoAwayPayload() },
                          write: { (buffer: inout ByteBuffer, goAway: GoAwayPayload) throws(FrameEncodingError) in buffer.writeGoAwayPayload(goAway) })
    }

    static func settings(_ bytes: [UInt8]) throws(PropertyFailure) {
        let defaults = ConnectionSettings(maxFramePayload: 7, maxConcurrentCalls: 8, maxMetadataSize: 9)
        var buffer = ByteBuffer(bytes: bytes)
        let decoded = try? buffer.readSettings(defaults: defaults)
        // The model: a whole number of (u16 id, u32 value) pairs, the last value of each known id wins.
        guard bytes.count % 6 == 0 else {
            try require(decoded == nil, "SETTINGS of \(bytes.count) bytes (not a multiple of 6) was accepted")
            return
        }
        var expected = defaults
        for start in stride(from: 0, to: bytes.count, by: 6) {
            let id = UInt16(bytes[start]) << 8 | UInt16(bytes[start + 1])
            let value = bytes[(start + 2)..<(start + 6)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            switch id {
            case 1: expected.maxFramePayload = value
            case 2: expected.maxConcurrentCalls = value
            case 3: expected.maxMetadataSize = value
            default: break
            }
        }
        try require(decoded == expected, "SETTINGS decoded as \(String(describing: decoded)), expected \(expected)")
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do { try FrameFuzz.check(bytes) } catch { fatalError("property failed: \(error)") }
    return 0
}
#endif
