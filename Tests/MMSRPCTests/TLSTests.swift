import Foundation
import Logging
import MMSRPC
import MMSRPCClient
import MMSRPCServer
import MMSWire
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// Issue 13, TLS and mutual TLS: the real server and client over loopback TCP, with
/// certificates made by openssl for each suite (Tests/Support/make_test_pki.sh).
@Suite("TLS and mutual TLS")
struct TLSTests {
    let pki: TestPKI

    init() throws { self.pki = try TestPKI.make() }

    func serverTLS(_ name: String = "server", clientCA: String? = nil) throws -> ServerTLS {
        try ServerTLS(configuration: ServerTLSConfiguration(
            certificateChainFile: self.pki.certificate(name), privateKeyFile: self.pki.key(name), clientCAFile: clientCA.map(self.pki.certificate)))
    }

    func start(_ tls: ServerTLS?) async throws -> TestServer {
        try await TestServer.start(router: makeTestRouter()) { $0.tls = tls }
    }

    func client(_ server: TestServer, host: String = "127.0.0.1", ca: String? = "ca", identity: String? = nil) -> RPCClient {
        let tls = ClientTLSConfiguration(
            trustRootsFile: ca.map(self.pki.certificate), certificateChainFile: identity.map(self.pki.certificate),
            privateKeyFile: identity.map(self.pki.key))
        return RPCClient(configuration: ClientConfiguration(host: host, port: server.port, connectTimeout: .seconds(5), defaultTimeout: .seconds(10), tls: tls))
    }

    func echo(_ client: RPCClient, _ text: String = "over TLS") async throws -> String {
        try await client.unary(TestMethods.echo, RawMessage(text)).text
    }

    /// Expects a call on `client` to fail with UNAVAILABLE whose message contains every one of `parts`.
    func expectRefused(_ client: RPCClient, _ parts: [String], sourceLocation: SourceLocation = #_sourceLocation) async {
        let error = await expectRPCError(.unavailable, sourceLocation: sourceLocation) { _ = try await self.echo(client) }
        for part in parts {
            #expect(error?.message.contains(part) == true, "\"\(part)\" missing from: \(error?.message ?? "no error")", sourceLocation: sourceLocation)
        }
    }

    @Test("A good chain works: the client trusts the CA, the certificate names 127.0.0.1 and localhost, ALPN is mms/1")
    func goodChain() async throws {
        defer { pki.remove() }
        let server = try await start(try serverTLS())
        for host in ["127.0.0.1", "localhost"] {
            let client = client(server, host: host)
            #expect(try await echo(client, "hello \(host)") == "hello \(host)")
            await client.close()
        }
        try await server.stop()
    }

    @Test("A server certificate from a CA the client does not trust fails, naming the certificate and the CAs trusted")
    func untrustedServer() async throws {
        defer { pki.remove() }
        let server = try await start(try serverTLS())
        let client = client(server, ca: "other-ca")
        await expectRefused(client, ["not trusted", "CN=mms-test-server", "not issued by a CA this client trusts", "--tls-ca \(pki.certificate("other-ca"))"])
        await client.close()
        try await server.stop()
    }

    @Test("A server certificate that does not name the host dialled fails, naming the host")
    func wrongName() async throws {
        defer { pki.remove() }
        let server = try await start(try serverTLS("server-wrong-name"))
        let client = client(server, host: "localhost")
        await expectRefused(client, ["does not name localhost"])
        await client.close()
        try await server.stop()
    }

    @Test("An expired server certificate fails at the client, saying it expired and when")
    func expiredServer() async throws {
        defer { pki.remove() }
        // ServerTLS refuses an expired certificate (next test), so a bare TLS listener presents it:
        // a certificate that expires while a server runs.
        let listener = try await BareTLSListener.start(certificate: pki.certificate("server-expired"), key: pki.key("server-expired"))
        let client = RPCClient(configuration: ClientConfiguration(
            host: "127.0.0.1", port: listener.port, connectTimeout: .seconds(5), defaultTimeout: .seconds(10),
            tls: ClientTLSConfiguration(trustRootsFile: pki.certificate("ca"))))
        let error = await expectRPCError(.unavailable) { _ = try await client.unary(TestMethods.echo, RawMessage("x")) }
        #expect(error?.message.contains("has expired (on 2020-01-02 00:00:00 UTC)") == true, "\(error?.message ?? "")")
        await client.close()
        try await listener.close()
    }

    @Test("The server refuses to start with an expired certificate, or a key other users can read, naming the file and the fix")
    func serverRefusesBadMaterial() throws {
        defer { pki.remove() }
        let expired = #expect(throws: TLSSetupError.self) { try serverTLS("server-expired") }
        #expect(expired?.message.contains("\(pki.certificate("server-expired")) expired on 2020-01-02 00:00:00 UTC") == true, "\(String(describing: expired))")

        #expect(chmod(pki.key("server"), 0o640) == 0)
        let readable = #expect(throws: TLSSetupError.self) { try serverTLS("server") }
        let text = readable?.message ?? ""
        #expect(text.contains(pki.key("server")) && text.contains("other users") && text.contains("chmod 600") && !text.contains("BEGIN"), "\(text)")

        // A certificate with another certificate's key.
        #expect(chmod(pki.key("server"), 0o600) == 0)
        let mismatched = #expect(throws: TLSSetupError.self) {
            try ServerTLS(configuration: ServerTLSConfiguration(certificateChainFile: pki.certificate("server"), privateKeyFile: pki.key("client")))
        }
        #expect(mismatched?.message.contains("does the key belong to the certificate?") == true, "\(String(describing: mismatched))")
    }

    @Test("Mutual TLS: a client certificate from the CA works; none, another CA's, or an expired one is refused with a clear error")
    func mutualTLS() async throws {
        defer { pki.remove() }
        let server = try await start(try serverTLS(clientCA: "ca"))
        let good = client(server, identity: "client")
        #expect(try await echo(good) == "over TLS")
        await good.close()

        let anonymous = client(server)
        await expectRefused(anonymous, ["requires a client certificate", "--tls-certificate"])
        await anonymous.close()

        let stranger = client(server, identity: "client-other")
        await expectRefused(stranger, ["does not trust this client's certificate"])
        await stranger.close()

        // An expired client certificate is refused by the client itself, before it connects.
        let expired = #expect(throws: RPCError.self) {
            try ClientTLSConfiguration(
                trustRootsFile: pki.certificate("ca"), certificateChainFile: pki.certificate("client-expired"),
                privateKeyFile: pki.key("client-expired")
            ).validate()
        }
        #expect(expired?.message.contains("expired on 2020-01-02 00:00:00 UTC") == true, "\(String(describing: expired))")
        try await server.stop()
    }

    @Test("A plain client on a TLS port is told to use TLS at once: a GOAWAY it can read, then the connection closes")
    func plainClientOnTLSPort() async throws {
        defer { pki.remove() }
        let server = try await start(try serverTLS())
        let plain = RPCClient(configuration: ClientConfiguration(host: "127.0.0.1", port: server.port, connectTimeout: .seconds(5)))
        let started = ContinuousClock.now
        let error = await expectRPCError(.unavailable) { _ = try await plain.unary(TestMethods.echo, RawMessage("x")) }
        #expect(error?.message.contains("BAD_PREFACE: this port speaks the MMS RPC protocol over TLS") == true, "\(error?.message ?? "")")
        #expect(ContinuousClock.now - started < .seconds(3), "answered at once, not after a timeout")
        await plain.close()

        var preface = ByteBuffer()
        WireProtocol.writePreface(into: &preface)
        let (bytes, closed) = try await RawSocket.exchange(port: server.port, send: Array(preface.readableBytesView))
        #expect(closed)
        let frames = try RawSocket.frames(in: bytes)
        #expect(frames.first?.type == .goAway)
        var payload = frames.first?.payload ?? ByteBuffer()
        #expect((try? payload.readGoAwayPayload())?.code == .badPreface)

        let (http, httpClosed) = try await RawSocket.exchange(port: server.port, send: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(httpClosed)
        #expect(String(decoding: http, as: UTF8.self).hasPrefix("HTTP/1.1 400 Bad Request"))
        try await server.stop()
    }

    @Test("A TLS client on a plain port is told the port is plain at once, and the server says why it closed")
    func tlsClientOnPlainPort() async throws {
        defer { pki.remove() }
        let server = try await start(nil)
        let client = client(server)
        let started = ContinuousClock.now
        await expectRefused(client, ["answered in plain text, not TLS", "connect without --tls"])
        #expect(ContinuousClock.now - started < .seconds(3), "answered at once, not after a timeout")
        await client.close()

        // The server's side: the first bytes of a TLS ClientHello get a GOAWAY that names TLS.
        let clientHelloStart: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0xF0, 0x01, 0x00, 0x00, 0xEC, 0x03, 0x03]
        let (bytes, closed) = try await RawSocket.exchange(port: server.port, send: clientHelloStart)
        #expect(closed)
        var payload = try RawSocket.frames(in: bytes).first?.payload ?? ByteBuffer()
        let goAway = try payload.readGoAwayPayload()
        #expect(goAway.code == .badPreface)
        #expect(goAway.reason.contains("started a TLS handshake") && goAway.reason.contains("plain text"), "\(goAway.reason)")
        try await server.stop()
    }

    @Test("Reloading swaps the certificate for new connections and drops no open one; a failed reload keeps the old")
    func reload() async throws {
        defer { pki.remove() }
        try pki.install("server", as: "live")
        let tls = try serverTLS("live")
        let server = try await start(tls)
        // Trusts only the first CA: had its connection been dropped, reconnecting would fail.
        let open = client(server)
        #expect(try await echo(open, "before") == "before")

        try pki.install("server-other", as: "live")
        let summary = try tls.reload()
        #expect(summary.contains("CN=mms-test-server-other"))

        #expect(try await echo(open, "after") == "after", "the open connection still works")
        let newWithOldCA = client(server)
        await expectRefused(newWithOldCA, ["not trusted"])
        await newWithOldCA.close()
        let newWithNewCA = client(server, ca: "other-ca")
        #expect(try await echo(newWithNewCA, "new") == "new")
        await newWithNewCA.close()

        // A reload that fails changes nothing.
        #expect(chmod(pki.key("live"), 0o644) == 0)
        #expect(throws: TLSSetupError.self) { try tls.reload() }
        #expect(tls.summary.contains("CN=mms-test-server-other"))
        let stillNew = client(server, ca: "other-ca")
        #expect(try await echo(stillNew, "still") == "still")
        await stillNew.close()
        #expect(try await echo(open, "still open") == "still open")
        await open.close()
        try await server.stop()
    }
}

/// A TLS listener that presents any certificate and speaks nothing after the handshake: the
/// server side of a test whose certificate `ServerTLS` would refuse to load.
struct BareTLSListener {
    let channel: any Channel
    var port: Int { self.channel.localAddress!.port! }

    static func start(certificate: String, key: String) async throws -> BareTLSListener {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return BareTLSListener(channel: channel)
    }

    func close() async throws { try await self.channel.close() }
}
