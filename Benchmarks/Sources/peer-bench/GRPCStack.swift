import GRPCCore
import GRPCNIOTransportHTTP2
import MMSMessages
import MMSRPC
import NIOCore
import NIOPosix

/// grpc-swift-2 over HTTP/2 (plaintext), with handlers registered by hand and the messages
/// (de)serialized by our protobuf-c bridge, so only the RPC layers differ from ours.
enum GRPCStack {
    static let health = MethodDescriptor(fullyQualifiedService: "mms.v1.Health", method: "Check")
    static let status = MethodDescriptor(fullyQualifiedService: "mms.v1.MigrationService", method: "GetMigrationStatus")

    static func serve(port: Int, threads: Int, work: BenchWork) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let server = GRPCServer(
            transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext, eventLoopGroup: group),
            services: [Service(work: work)])
        try await server.serve()
    }

    /// Health/Check and GetMigrationStatus, registered on grpc-swift's router.
    struct Service: RegistrableRPCService {
        let work: BenchWork

        func registerMethods<Transport: ServerTransport>(with router: inout GRPCCore.RPCRouter<Transport>) {
            let work = self.work
            router.registerHandler(
                forMethod: GRPCStack.health, deserializer: ProtobufCDeserializer<HealthCheckRequest>(),
                serializer: ProtobufCSerializer<HealthCheckResponse>()
            ) { request, _ in
                let single = try await ServerRequest(stream: request)
                return StreamingServerResponse(single: ServerResponse(message: work.health(single.message)))
            }
            router.registerHandler(
                forMethod: GRPCStack.status, deserializer: ProtobufCDeserializer<GetMigrationStatusRequest>(),
                serializer: ProtobufCSerializer<GetMigrationStatusResponse>()
            ) { request, _ in
                let single = try await ServerRequest(stream: request)
                return StreamingServerResponse(single: ServerResponse(message: try await work.status(single.message)))
            }
        }
    }

    /// One HTTP/2 connection of a grpc-swift-2 client.
    struct Connection: BenchConnection {
        let client: GRPCClient<HTTP2ClientTransport.Posix>
        let runner: Task<Void, any Error>

        init(port: Int) throws {
            let client = GRPCClient(
                transport: try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext))
            self.client = client
            self.runner = Task { try await client.runConnections() }
        }

        func call(_ call: BenchCall, identity: String) async throws {
            switch call {
            case .health:
                _ = try await client.unary(
                    request: ClientRequest(message: HealthCheckRequest()), descriptor: GRPCStack.health,
                    serializer: ProtobufCSerializer<HealthCheckRequest>(), deserializer: ProtobufCDeserializer<HealthCheckResponse>(),
                    options: .defaults
                ) { try $0.message }
            case .status:
                _ = try await client.unary(
                    request: ClientRequest(message: GetMigrationStatusRequest(identity: identity)), descriptor: GRPCStack.status,
                    serializer: ProtobufCSerializer<GetMigrationStatusRequest>(),
                    deserializer: ProtobufCDeserializer<GetMigrationStatusResponse>(), options: .defaults
                ) { try $0.message }
            }
        }

        func close() async {
            client.beginGracefulShutdown()
            _ = try? await runner.value
        }
    }
}

/// Serializes one of our messages with protobuf-c (`WireMessage.encode`) for grpc-swift.
struct ProtobufCSerializer<Message: WireMessage>: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: Message) throws -> Bytes {
        var buffer = ByteBuffer()
        try message.encode(into: &buffer)
        var bytes = Bytes(repeating: 0, count: buffer.readableBytes)
        bytes.withUnsafeMutableBytes { target in
            buffer.withUnsafeReadableBytes { source in target.copyMemory(from: source) }
        }
        return bytes
    }
}

/// Deserializes one of our messages with protobuf-c (`WireMessage.decode`) for grpc-swift.
struct ProtobufCDeserializer<Message: WireMessage>: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        let buffer = serializedMessageBytes.withUnsafeBytes { ByteBuffer(bytes: $0) }
        return try Message.decode(from: buffer)
    }
}
