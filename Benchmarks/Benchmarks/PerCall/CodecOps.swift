import Foundation
// MMSClient re-exports MMSMessages (the protobuf-c bridge), MMSRPC and, through MMSRPC,
// MMSWire (the frame codec): neither MMSWire nor MMSMessages is a product of the root package.
import MMSClient
import NIOCore

// The codec operations measured by PerCall, in a file of their own so that the plain driver
// under callgrind/ (a synchronous main, for valgrind) compiles exactly the same code.

/// Keeps a value alive and opaque to the optimizer, as Benchmark's `blackHole` does.
@inline(never) @_optimize(none)
func consume<T>(_ value: T) {}

// MARK: - Fixtures

enum Fixtures {
    static let tokenMetadata: Metadata = {
        var metadata = Metadata()
        metadata.add("Bearer mms_0123456789abcdef0123456789abcdef0123456789abcdef", forKey: "authorization")
        return metadata
    }()

    static let statusRequest = GetMigrationStatusRequest(identity: "ashaw@contoso.com")

    static func record(_ index: Int) -> MigrationStatus {
        MigrationStatus(
            correlationId: "849d3e3b-3e1d-465f-8dde-785aa9e3f85\(index)", userId: "0b3c4d5e-\(index)",
            userPrincipalName: "user\(index)@contoso.com", state: .failed, migrationType: .sfbToTeams, retryCount: 2,
            lastMessage: "calendar of user\(index) is not reachable; retrying",
            createDateMicros: 1_714_177_440_144_268, modifiedDateMicros: 1_714_177_440_144_269,
            totalMeeting: 20, succeededMeeting: 18, failedMeeting: 2, invitesUpdate: 18
        )
    }

    static let statusResponse = GetMigrationStatusResponse(
        records: (1...3).map(record),
        summary: [StateUserCount(state: .pending, userCount: 3), StateUserCount(state: .failed, userCount: 1)]
    )
}

// MARK: - Codec operations (shared by the benchmarks and the plain driver for callgrind)

/// One codec operation: `make` does the setup and returns the work of one operation.
struct CodecOp {
    var name: String
    var make: () -> () -> Void
}

enum CodecOps {
    static let allocator = ByteBufferAllocator()

    static var all: [CodecOp] {
        // The REQUEST frame of Health/Check as MMSClient sends it (no token): head + empty message.
        let healthRequestFrame = Frames.request(method: HealthMethods.check.fullName, metadata: Metadata(), message: ByteBuffer())
        // A GetMigrationStatus REQUEST with a bearer token, as an authenticated caller sends it.
        let statusRequestMessage = ByteBuffer(bytes: try! Fixtures.statusRequest.serializedBytes())
        let statusRequestFrame = Frames.request(
            method: MigrationServiceMethods.getMigrationStatus.fullName, metadata: Fixtures.tokenMetadata, message: statusRequestMessage)
        let healthResponseMessage = ByteBuffer(bytes: try! HealthCheckResponse(status: .serving).serializedBytes())
        let statusResponseMessage = ByteBuffer(bytes: try! Fixtures.statusResponse.serializedBytes())
        let healthResponseFrame = Frames.encodeResponse(allocator: allocator, id: 7, message: healthResponseMessage)
        let statusResponseFrame = Frames.encodeResponse(allocator: allocator, id: 7, message: statusResponseMessage)

        func decode(_ name: String, _ frame: ByteBuffer, request: Bool) -> CodecOp {
            CodecOp(name: name) {
                let box = DecoderBox()
                if request {
                    return { consume(try! Frames.decodeRequest(frame, decoder: &box.decoder)) }
                }
                return { consume(try! Frames.decodeResponse(frame, decoder: &box.decoder)) }
            }
        }
        func encode<M: ProtobufCBridgedMessage>(_ name: String, _ message: M) -> CodecOp {
            CodecOp(name: "Proto/encode \(name)") {
                // One reused buffer, so only the codec's own allocations are counted.
                let box = BufferBox(allocator.buffer(capacity: 4096))
                return {
                    box.buffer.clear()
                    try! message.encode(into: &box.buffer)
                    consume(box.buffer.readableBytes)
                }
            }
        }
        func decode<M: ProtobufCBridgedMessage>(_ name: String, _ message: M) -> CodecOp {
            let bytes = ByteBuffer(bytes: try! message.serializedBytes())
            return CodecOp(name: "Proto/decode \(name)") {
                { consume(try! M.decode(from: bytes)) }
            }
        }
        return [
            CodecOp(name: "Frame/encode request (Health/Check, no metadata)") {
                { consume(Frames.encodeRequest(allocator: allocator, id: 7, method: HealthMethods.check.fullName, metadata: Metadata(), message: ByteBuffer())) }
            },
            CodecOp(name: "Frame/encode request (GetMigrationStatus, bearer token)") {
                {
                    consume(Frames.encodeRequest(
                        allocator: allocator, id: 7, method: MigrationServiceMethods.getMigrationStatus.fullName,
                        metadata: Fixtures.tokenMetadata, message: statusRequestMessage))
                }
            },
            decode("Frame/decode request (Health/Check, no metadata)", healthRequestFrame, request: true),
            decode("Frame/decode request (GetMigrationStatus, bearer token)", statusRequestFrame, request: true),
            CodecOp(name: "Frame/encode response (Health/Check)") {
                { consume(Frames.encodeResponse(allocator: allocator, id: 7, message: healthResponseMessage)) }
            },
            CodecOp(name: "Frame/encode response (GetMigrationStatus, 3 records)") {
                { consume(Frames.encodeResponse(allocator: allocator, id: 7, message: statusResponseMessage)) }
            },
            decode("Frame/decode response (Health/Check)", healthResponseFrame, request: false),
            decode("Frame/decode response (GetMigrationStatus, 3 records)", statusResponseFrame, request: false),
            encode("HealthCheckRequest", HealthCheckRequest()),
            decode("HealthCheckRequest", HealthCheckRequest()),
            encode("HealthCheckResponse", HealthCheckResponse(status: .serving)),
            decode("HealthCheckResponse", HealthCheckResponse(status: .serving)),
            encode("GetMigrationStatusRequest", Fixtures.statusRequest),
            decode("GetMigrationStatusRequest", Fixtures.statusRequest),
            encode("GetMigrationStatusResponse (3 records, 2 summary rows)", Fixtures.statusResponse),
            decode("GetMigrationStatusResponse (3 records, 2 summary rows)", Fixtures.statusResponse),
        ]
    }

    /// `MMS_PERCALL_DRIVER=list` prints the operations; `MMS_PERCALL_DRIVER=INDEX:COUNT` runs one
    /// COUNT times and exits, with no benchmark harness around it: for valgrind --tool=callgrind,
    /// where two counts give the instructions of one operation by difference.
    static func drive(_ spec: String) -> Never {
        let ops = all
        if spec == "list" {
            for (index, op) in ops.enumerated() { print("\(index)\t\(op.name)") }
            exit(0)
        }
        let parts = spec.split(separator: ":")
        guard parts.count == 2, let index = Int(parts[0]), ops.indices.contains(index), let count = Int(parts[1]) else {
            FileHandle.standardError.write(Data("MMS_PERCALL_DRIVER must be list or INDEX:COUNT\n".utf8))
            exit(2)
        }
        let run = ops[index].make()
        for _ in 0..<count { run() }
        exit(0)
    }
}

final class DecoderBox {
    var decoder = Frames.decoderPastPreface()
}

final class BufferBox {
    var buffer: ByteBuffer
    init(_ buffer: ByteBuffer) { self.buffer = buffer }
}

// MARK: - Frame codec, the way RPCClient and ServerConnectionHandler use it

enum Frames {
    /// Encodes a REQUEST frame as `RPCClient.encodeRequest` does: fresh 128-byte buffer,
    /// reserved header, request head, message, completed header.
    @inline(never)
    static func encodeRequest(allocator: ByteBufferAllocator, id: UInt32, method: String, metadata: Metadata, message: ByteBuffer) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 128)
        let headerStart = buffer.reserveFrameHeader()
        buffer.writeRequestHead(RequestHead(method: method, timeoutMicroseconds: 30_000_000, metadata: metadata))
        buffer.writeImmutableBuffer(message)
        buffer.completeFrameHeader(at: headerStart, type: .request, callID: id)
        return buffer
    }

    static func request(method: String, metadata: Metadata, message: ByteBuffer) -> ByteBuffer {
        encodeRequest(allocator: ByteBufferAllocator(), id: 7, method: method, metadata: metadata, message: message)
    }

    /// Encodes a RESPONSE frame as the router and `finishUnary` do: fresh 256-byte buffer,
    /// reserved header, message, header completed with END_OK.
    @inline(never)
    static func encodeResponse(allocator: ByteBufferAllocator, id: UInt32, message: ByteBuffer) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 256)
        let headerStart = buffer.reserveFrameHeader()
        buffer.writeImmutableBuffer(message)
        buffer.completeFrameHeader(at: headerStart, type: .response, flags: .endOK, callID: id)
        return buffer
    }

    static func decoderPastPreface() -> FrameDecoder {
        var decoder = FrameDecoder()
        var preface = ByteBuffer()
        WireProtocol.writePreface(into: &preface)
        _ = try! decoder.decode(buffer: &preface)
        return decoder
    }

    /// Decodes one REQUEST frame and its head as the server does; returns the head and the message bytes.
    @inline(never)
    static func decodeRequest(_ bytes: ByteBuffer, decoder: inout FrameDecoder) throws -> (RequestHead, ByteBuffer) {
        var input = bytes
        guard case .frame(let frame) = try decoder.decode(buffer: &input) else { fatalError("no frame") }
        var payload = frame.payload
        let head = try payload.readRequestHead(maxMetadataSize: WireProtocol.defaultMaxMetadataSize)
        return (head, payload)
    }

    /// Decodes one RESPONSE frame as the client does: the payload is the message.
    @inline(never)
    static func decodeResponse(_ bytes: ByteBuffer, decoder: inout FrameDecoder) throws -> Frame {
        var input = bytes
        guard case .frame(let frame) = try decoder.decode(buffer: &input) else { fatalError("no frame") }
        return frame
    }
}
