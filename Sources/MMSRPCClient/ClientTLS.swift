#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMSRPC
import MMSWire
import NIOCore
import NIOSSL
import NIOTLS

/// TLS for a client's connections (docs/PROTOCOL.md, "TLS"): the CAs the server's certificate
/// must chain to and, for mutual TLS, the client's own certificate and key.
public struct ClientTLSConfiguration: Sendable, Hashable {
    /// A PEM file of CA certificates to trust instead of the system's; nil = the system's.
    public var trustRootsFile: String?
    /// A PEM file with the client's certificate (then intermediates), for a server that requires one.
    public var certificateChainFile: String?
    /// The PEM private key of `certificateChainFile`.
    public var privateKeyFile: String?

    public init(trustRootsFile: String? = nil, certificateChainFile: String? = nil, privateKeyFile: String? = nil) {
        self.trustRootsFile = trustRootsFile
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
    }

    /// Reads and checks the files, as a connection will.
    /// - Throws: `RPCError(.invalidArgument)` naming the file and what is wrong with it.
    public func validate() throws(RPCError) {
        _ = try self.makeContext()
    }

    /// Builds the TLS context: TLS 1.2 at least, ALPN `mms/1`, full verification of the server.
    func makeContext() throws(RPCError) -> NIOSSLContext {
        do throws(TLSSetupError) {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.minimumTLSVersion = .tlsv12
            tls.applicationProtocols = [WireProtocol.tlsApplicationProtocol]
            if let trustRootsFile {
                tls.trustRoots = .certificates(try TLSFiles.certificates(trustRootsFile, what: "--tls-ca"))
            }
            switch (self.certificateChainFile, self.privateKeyFile) {
            case (nil, nil):
                break
            case (let certificateFile?, let keyFile?):
                let chain = try TLSFiles.certificates(certificateFile, what: "--tls-certificate")
                try TLSFiles.checkValidNow(chain[0], file: certificateFile)
                tls.certificateChain = chain.map { .certificate($0) }
                tls.privateKey = .privateKey(try TLSFiles.privateKey(keyFile))
            case (nil, _?):
                throw TLSSetupError("--tls-key needs --tls-certificate: give the client certificate the key belongs to")
            case (_?, nil):
                throw TLSSetupError("--tls-certificate needs --tls-key: give the certificate's private key")
            }
            do {
                return try NIOSSLContext(configuration: tls)
            } catch {
                throw TLSSetupError("cannot use --tls-certificate with --tls-key (does the key belong to the certificate?): \(error)")
            }
        } catch {
            throw RPCError(.invalidArgument, error.message)
        }
    }

    /// The TLS handlers of one connection to `host`, in pipeline order.
    func makeHandlers(context: NIOSSLContext, host: String, target: String) throws -> [any ChannelHandler] {
        let notes = VerificationNotes()
        // An IP address is checked against the certificate's IP names and sent without SNI.
        let name: String? = host.isIPAddress ? nil : host
        let tlsHandler = try (WatchingHandlerMaker() as any ClientHandlerMaking).make(context: context, serverHostname: name, notes: notes)
        return [
            PlaintextServerDetector(target: target),
            tlsHandler,
            ClientTLSEventHandler(target: target, host: host, trustRoots: self.trustRootsFile, notes: notes),
        ]
    }
}

/// A TLS failure of a connection, in words the caller can act on.
struct ClientTLSError: Error, CustomStringConvertible {
    let message: String
    var description: String { self.message }
}

/// What the certificate checks saw, kept for the error message (one connection, its event loop).
final class VerificationNotes: @unchecked Sendable {
    var failure: String?
}

/// Makes the TLS handler with a callback that watches BoringSSL's verdict on each certificate
/// without changing it, to say *why* a certificate was refused (expired, not yet valid, unknown CA).
protocol ClientHandlerMaking {
    func make(context: NIOSSLContext, serverHostname: String?, notes: VerificationNotes) throws -> NIOSSLClientHandler
}

private struct WatchingHandlerMaker: ClientHandlerMaking {
    // NIOSSL deprecates the per-certificate callback in favour of whole-chain callbacks that
    // replace BoringSSL's verification; this one only records what BoringSSL decided.
    @available(*, deprecated)
    func make(context: NIOSSLContext, serverHostname: String?, notes: VerificationNotes) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: serverHostname, verificationCallback: { verdict, certificate in
            if case .failed = verdict, notes.failure == nil {
                let now = time(nil)
                let described = TLSFiles.describe(certificate)
                if certificate.notValidAfter < now {
                    notes.failure = "the certificate \(described) has expired (on \(TLSFiles.format(certificate.notValidAfter)))"
                } else if certificate.notValidBefore > now {
                    notes.failure = "the certificate \(described) is not valid before \(TLSFiles.format(certificate.notValidBefore))"
                } else {
                    notes.failure = "the certificate \(described) is not issued by a CA this client trusts"
                }
            }
            return verdict
        })
    }
}

/// First on a TLS connection: a server that answers in plain text (an MMS server without TLS,
/// or an HTTP server) is reported as such instead of as a garbled TLS record.
final class PlaintextServerDetector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let target: String
    private var failed = false

    init(target: String) { self.target = target }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.failed else { return }
        let buffer = self.unwrapInboundIn(data)
        let head = buffer.getBytes(at: buffer.readerIndex, length: min(buffer.readableBytes, WireProtocol.magic.count)) ?? []
        guard !head.isEmpty else { return }
        if WireProtocol.magic.starts(with: head) {
            self.fail(context, "\(self.target) answered in plain text, not TLS: that port speaks the MMS RPC protocol without TLS; connect without --tls (or start mms-server with --tls-certificate and --tls-key)")
        } else if Array("HTTP/".utf8).starts(with: head.prefix(5)) {
            self.fail(context, "\(self.target) answered in plain HTTP, not TLS: it is not an MMS server with TLS")
        } else {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    private func fail(_ context: ChannelHandlerContext, _ message: String) {
        self.failed = true
        context.fireErrorCaught(ClientTLSError(message: message))
        context.close(promise: nil)
    }
}

/// Right after the TLS handler: checks that the server agreed to ALPN `mms/1`, and turns
/// BoringSSL's errors into messages that say what to fix.
final class ClientTLSEventHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let target: String
    private let host: String
    private let trustRoots: String?
    private let notes: VerificationNotes

    init(target: String, host: String, trustRoots: String?, notes: VerificationNotes) {
        self.target = target
        self.host = host
        self.trustRoots = trustRoots
        self.notes = notes
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = tlsEvent,
           negotiated != WireProtocol.tlsApplicationProtocol {
            context.fireErrorCaught(ClientTLSError(
                message: "\(self.target) completed the TLS handshake but did not agree to ALPN \(WireProtocol.tlsApplicationProtocol) "
                    + "(it chose \(negotiated.map { "\"\($0)\"" } ?? "none")): it is not an MMS server, or something in between ends TLS"))
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError else {
            context.fireErrorCaught(error)
            return
        }
        context.fireErrorCaught(ClientTLSError(message: "TLS with \(self.target) failed: \(self.explain(error))"))
    }

    private func explain(_ error: any Error) -> String {
        let text = "\(error)"
        let trusted = self.trustRoots.map { "the CAs of --tls-ca \($0)" } ?? "the system's CAs (give --tls-ca FILE for a private CA)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "the server's certificate is not trusted: \(self.notes.failure ?? "it did not verify") (trusting \(trusted))"
        }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "the server's certificate does not name \(self.host): connect by a name or address the certificate lists"
        }
        let hints: [(String, String)] = [
            ("CERTIFICATE_REQUIRED", "the server requires a client certificate (mutual TLS): give --tls-certificate and --tls-key"),
            ("ALERT_HANDSHAKE_FAILURE", "the server refused the handshake (does it require a client certificate? give --tls-certificate and --tls-key)"),
            ("ALERT_UNKNOWN_CA", "the server does not trust this client's certificate: it is not issued by a CA of the server's --tls-client-ca"),
            ("ALERT_CERTIFICATE_EXPIRED", "the server refused this client's certificate: it has expired"),
            ("ALERT_BAD_CERTIFICATE", "the server refused this client's certificate"),
            ("ALERT_NO_APPLICATION_PROTOCOL", "the server does not speak ALPN \(WireProtocol.tlsApplicationProtocol)"),
            ("WRONG_VERSION_NUMBER", "the server did not answer in TLS: is TLS on at that port?"),
            ("EOF during handshake", "the server closed the connection during the TLS handshake"),
        ]
        for (marker, hint) in hints where text.contains(marker) {
            return hint
        }
        return text
    }
}

extension String {
    /// True for an IPv4 or IPv6 address literal (never sent as SNI, checked against IP names).
    var isIPAddress: Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return self.withCString { inet_pton(AF_INET, $0, &v4) == 1 || inet_pton(AF_INET6, $0, &v6) == 1 }
    }
}
