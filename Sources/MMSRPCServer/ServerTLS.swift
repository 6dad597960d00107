import MMSRPC
import MMSWire
import NIOCore
import NIOSSL
import Synchronization

/// Where the server's TLS material is: its certificate chain, its private key and, for mutual
/// TLS, the CA certificates client certificates must chain to (docs/PROTOCOL.md, "TLS").
public struct ServerTLSConfiguration: Sendable, Hashable {
    /// A PEM file: the server's certificate first, then any intermediate certificates.
    public var certificateChainFile: String
    /// A PEM file holding the private key of the certificate; readable by the server's user only.
    public var privateKeyFile: String
    /// A PEM file of CA certificates; when set, every client must present a certificate that chains to one.
    public var clientCAFile: String?

    public init(certificateChainFile: String, privateKeyFile: String, clientCAFile: String? = nil) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.clientCAFile = clientCAFile
    }
}

/// The server's TLS context, loaded from files and loaded again on demand (SIGHUP).
///
/// A connection takes the context current when it is accepted and keeps it: reloading changes
/// the certificate new connections see and drops none of the open ones.
public final class ServerTLS: Sendable {
    /// The files the context is loaded from.
    public let configuration: ServerTLSConfiguration
    private let current: Mutex<Loaded>

    /// A loaded context and what it holds, for logs.
    private struct Loaded: Sendable {
        var context: NIOSSLContext
        var summary: String
    }

    /// Loads the certificate chain, the key and the client CAs, and checks them.
    /// - Throws: ``TLSSetupError`` naming the file and what is wrong with it.
    public init(configuration: ServerTLSConfiguration) throws(TLSSetupError) {
        self.configuration = configuration
        self.current = Mutex(try Self.load(configuration))
    }

    /// The context for a new connection.
    public var context: NIOSSLContext { self.current.withLock { $0.context } }

    /// The certificate in use: its subject, serial number and expiry (never anything of the key).
    public var summary: String { self.current.withLock { $0.summary } }

    /// Loads the files again; new connections use the new context, open ones keep theirs.
    /// On an error the current context stays in use.
    /// - Returns: the new certificate's summary.
    /// - Throws: ``TLSSetupError`` naming the file and what is wrong with it.
    @discardableResult
    public func reload() throws(TLSSetupError) -> String {
        let loaded = try Self.load(self.configuration)
        self.current.withLock { $0 = loaded }
        return loaded.summary
    }

    private static func load(_ configuration: ServerTLSConfiguration) throws(TLSSetupError) -> Loaded {
        try TLSFiles.checkKeyFileIsPrivate(configuration.privateKeyFile)
        let chain = try TLSFiles.certificates(configuration.certificateChainFile, what: "--tls-certificate")
        try TLSFiles.checkValidNow(chain[0], file: configuration.certificateChainFile)
        let key = try TLSFiles.privateKey(configuration.privateKeyFile)
        var tls: TLSConfiguration
        if let clientCAFile = configuration.clientCAFile {
            let roots = try TLSFiles.certificates(clientCAFile, what: "--tls-client-ca")
            tls = TLSConfiguration.makeServerConfigurationWithMTLS(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key), trustRoots: .certificates(roots))
        } else {
            tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        }
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = [WireProtocol.tlsApplicationProtocol]
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw TLSSetupError(
                "cannot use the TLS certificate \(configuration.certificateChainFile) with the key \(configuration.privateKeyFile) "
                    + "(does the key belong to the certificate?): \(error)")
        }
        let mode = configuration.clientCAFile == nil ? "TLS" : "mutual TLS (client certificates required)"
        return Loaded(context: context, summary: "\(mode), certificate \(TLSFiles.describe(chain[0]))")
    }
}

