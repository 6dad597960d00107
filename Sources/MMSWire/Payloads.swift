import NIOCore

/// The head of a REQUEST frame: which method, how long the caller waits, and its metadata.
/// The request message follows it to the end of the frame.
public struct RequestHead: Sendable, Hashable {
    /// The method's full name, `package.Service/Method`.
    public var method: String
    /// How long the caller waits, in microseconds from the moment the frame is received; 0 = no deadline.
    public var timeoutMicroseconds: UInt64
    public var metadata: Metadata

    public init(method: String, timeoutMicroseconds: UInt64 = 0, metadata: Metadata = Metadata()) {
        self.method = method
        self.timeoutMicroseconds = timeoutMicroseconds
        self.metadata = metadata
    }
}

extension ByteBuffer {
    /// Appends a request head; the caller appends the message after it.
    /// - Throws: ``FrameEncodingError`` when the method name or the metadata does not fit its length field.
    public mutating func writeRequestHead(_ head: RequestHead) throws(FrameEncodingError) {
        try self.writeLengthPrefixedString(head.method, as: UInt16.self, what: "method name")
        self.writeInteger(head.timeoutMicroseconds)
        try self.writeMetadata(head.metadata)
    }

    /// Reads a request head, leaving the reader index at the start of the message.
    public mutating func readRequestHead(maxMetadataSize: Int) throws(PayloadError) -> RequestHead {
        let method = try self.readLengthPrefixedString(as: UInt16.self, what: "method name")
        guard let timeout = self.readInteger(as: UInt64.self) else { throw PayloadError("request head: missing timeout") }
        let metadata = try self.readMetadata(maxSize: maxMetadataSize)
        return RequestHead(method: method, timeoutMicroseconds: timeout, metadata: metadata)
    }
}

/// The payload of a STATUS frame: a gRPC status code, a message, optional details and trailing metadata.
public struct StatusPayload: Sendable, Hashable {
    /// One of gRPC's 17 status codes, 0 (OK) to 16 (UNAUTHENTICATED).
    public var code: UInt8
    public var message: String
    /// Opaque bytes with more about the error (for example a serialized protobuf message); often empty.
    public var details: [UInt8]
    public var metadata: Metadata

    public init(code: UInt8, message: String = "", details: [UInt8] = [], metadata: Metadata = Metadata()) {
        self.code = code
        self.message = message
        self.details = details
        self.metadata = metadata
    }
}

extension ByteBuffer {
    /// Appends a STATUS payload.
    /// - Throws: ``FrameEncodingError`` when the message, the details or the metadata does not fit
    ///   its length field.
    public mutating func writeStatusPayload(_ status: StatusPayload) throws(FrameEncodingError) {
        self.writeInteger(status.code)
        try self.writeLengthPrefixedString(status.message, as: UInt16.self, what: "status message")
        guard let detailsLength = UInt32(exactly: status.details.count) else {
            throw FrameEncodingError("status details of \(status.details.count) bytes do not fit their 32-bit length")
        }
        self.writeInteger(detailsLength)
        self.writeBytes(status.details)
        try self.writeMetadata(status.metadata)
    }

    /// Reads a STATUS payload.
    public mutating func readStatusPayload(maxMetadataSize: Int) throws(PayloadError) -> StatusPayload {
        guard let code = self.readInteger(as: UInt8.self) else { throw PayloadError("status: missing code") }
        let message = try self.readLengthPrefixedString(as: UInt16.self, what: "status message")
        guard let detailsLength = self.readInteger(as: UInt32.self), let details = self.readBytes(length: Int(detailsLength)) else {
            throw PayloadError("status: details run past the end of the frame")
        }
        let metadata = try self.readMetadata(maxSize: maxMetadataSize)
        return StatusPayload(code: code, message: message, details: details, metadata: metadata)
    }
}

/// The payload of a GOAWAY frame (docs/PROTOCOL.md, §7 "GOAWAY").
public struct GoAwayPayload: Sendable, Hashable {
    public var code: GoAwayCode
    public var reason: String
    /// The highest call id the sender has processed or will process (protocol 1.1). Every call
    /// with a higher id is guaranteed not to have run, so its client may make it again on a new
    /// connection. Nil in a GOAWAY from a 1.0 peer, which says nothing about which calls ran.
    public var lastCallID: UInt32?

    /// The longest reason written, in UTF-8 bytes: reasons are for people; a longer one is cut at a
    /// character boundary.
    public static let maxReasonBytes = 1024

    public init(code: GoAwayCode, reason: String, lastCallID: UInt32? = nil) {
        self.code = code
        self.reason = reason
        self.lastCallID = lastCallID
    }

    /// `reason`, cut to at most `maxReasonBytes` bytes of whole Unicode scalars.
    var writtenReason: Substring {
        guard self.reason.utf8.count > Self.maxReasonBytes else { return self.reason[...] }
        let scalars = self.reason.unicodeScalars
        var bytes = 0
        var end = scalars.startIndex
        for index in scalars.indices {
            let width = scalars[index].utf8.count
            if bytes + width > Self.maxReasonBytes { break }
            bytes += width
            end = scalars.index(after: index)
        }
        return Substring(scalars[..<end])
    }
}

extension ByteBuffer {
    /// Appends a GOAWAY payload: a u32 code, a string16 reason (cut to 1 KiB), then, when
    /// `lastCallID` is set, the u32 last call id (protocol 1.1).
    public mutating func writeGoAwayPayload(_ goAway: GoAwayPayload) {
        self.writeInteger(goAway.code.rawValue)
        let reason = goAway.writtenReason
        self.writeInteger(UInt16(reason.utf8.count))  // at most 1,024
        self.writeSubstring(reason)
        if let lastCallID = goAway.lastCallID {
            self.writeInteger(lastCallID)
        }
    }

    /// Reads a GOAWAY payload; the last call id is read when present (a 1.0 peer sends none).
    public mutating func readGoAwayPayload() throws(PayloadError) -> GoAwayPayload {
        guard let code = self.readInteger(as: UInt32.self) else { throw PayloadError("GOAWAY: missing code") }
        let reason = try self.readLengthPrefixedString(as: UInt16.self, what: "GOAWAY reason")
        let lastCallID = self.readInteger(as: UInt32.self)
        return GoAwayPayload(code: GoAwayCode(rawValue: code), reason: reason, lastCallID: lastCallID)
    }
}

/// Limits a peer announces in its SETTINGS frame. Unknown setting ids are ignored.
public struct ConnectionSettings: Sendable, Hashable {
    /// Setting 0x1: the largest frame payload the sender accepts.
    public var maxFramePayload: UInt32
    /// Setting 0x2: how many calls may be in flight on the connection at once (server only).
    public var maxConcurrentCalls: UInt32
    /// Setting 0x3: the largest metadata the sender accepts, keys and values together.
    public var maxMetadataSize: UInt32

    public init(maxFramePayload: UInt32, maxConcurrentCalls: UInt32, maxMetadataSize: UInt32) {
        self.maxFramePayload = maxFramePayload
        self.maxConcurrentCalls = maxConcurrentCalls
        self.maxMetadataSize = maxMetadataSize
    }
}

extension ByteBuffer {
    /// Appends a SETTINGS payload: (u16 id, u32 value) pairs.
    public mutating func writeSettings(_ settings: ConnectionSettings) {
        self.writeMultipleIntegers(UInt16(1), settings.maxFramePayload)
        self.writeMultipleIntegers(UInt16(2), settings.maxConcurrentCalls)
        self.writeMultipleIntegers(UInt16(3), settings.maxMetadataSize)
    }

    /// Reads a SETTINGS payload over `defaults`, ignoring ids it does not know.
    public mutating func readSettings(defaults: ConnectionSettings) throws(PayloadError) -> ConnectionSettings {
        guard self.readableBytes % 6 == 0 else {
            throw PayloadError("SETTINGS payload of \(self.readableBytes) bytes is not a whole number of 6-byte settings")
        }
        var settings = defaults
        while let (id, value) = self.readMultipleIntegers(as: (UInt16, UInt32).self) {
            switch id {
            case 1: settings.maxFramePayload = value
            case 2: settings.maxConcurrentCalls = value
            case 3: settings.maxMetadataSize = value
            default: continue
            }
        }
        return settings
    }
}
