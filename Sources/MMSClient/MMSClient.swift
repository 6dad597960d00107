@_exported import MMSMessages
@_exported import MMSRPC
@_exported import MMSRPCClient

/// The client of the Meeting Migration Service that the `mms` CLI, the load generator and
/// the tests use: typed calls over one multiplexed connection, with the caller's token.
public struct MMSClient: Sendable {
    /// The underlying RPC client (one connection, reopened as needed).
    public let rpc: RPCClient
    /// Sent with every call: `authorization: Bearer <token>` when a token is given.
    public let metadata: Metadata
    /// The deadline of each call.
    public let timeout: Duration

    /// - Parameters:
    ///   - endpoint: `HOST:PORT` of the server, e.g. `127.0.0.1:7450`.
    ///   - token: the caller's bearer token, if any.
    ///   - timeout: how long each call may take.
    ///   - tls: TLS settings; nil = plain TCP.
    /// - Throws: `RPCError(.invalidArgument)` when the endpoint is not `HOST:PORT`, or a TLS file
    ///   cannot be used (the message names it).
    public init(endpoint: String, token: String? = nil, timeout: Duration = .seconds(30), tls: ClientTLSConfiguration? = nil) throws(RPCError) {
        let (host, port) = try Endpoint.parse(endpoint)
        try tls?.validate()
        self.rpc = RPCClient(configuration: ClientConfiguration(host: host, port: port, defaultTimeout: timeout, tls: tls))
        var metadata = Metadata()
        if let token, !token.isEmpty { metadata.add("Bearer \(token)", forKey: "authorization") }
        self.metadata = metadata
        self.timeout = timeout
    }

    /// Makes any unary call of the API with this client's metadata and timeout.
    public func call<Request, Response>(_ method: UnaryMethod<Request, Response>, _ request: Request) async throws(RPCError) -> Response {
        try await self.rpc.unary(method, request, metadata: self.metadata, timeout: self.timeout)
    }

    /// Makes any server-streaming call of the API; the stream has no deadline.
    public func stream<Request, Response>(_ method: ServerStreamingMethod<Request, Response>, _ request: Request) async throws(RPCError) -> ResponseStream<Response> {
        try await self.rpc.serverStreaming(method, request, metadata: self.metadata, timeout: nil)
    }

    /// Whether the server is serving.
    public func health() async throws(RPCError) -> HealthCheckResponse {
        try await self.call(HealthMethods.check, HealthCheckRequest())
    }

    /// Start-CsExMeetingMigration (MISSION T4).
    public func startMeetingMigration(_ request: StartMeetingMigrationRequest) async throws(RPCError) -> StartMeetingMigrationResponse {
        try await self.call(MigrationServiceMethods.startMeetingMigration, request)
    }

    /// Get-CsMeetingMigrationStatus (MISSION S1).
    public func migrationStatus(_ request: GetMigrationStatusRequest) async throws(RPCError) -> GetMigrationStatusResponse {
        try await self.call(MigrationServiceMethods.getMigrationStatus, request)
    }

    /// Closes the connection.
    public func close() async {
        await self.rpc.close()
    }
}
