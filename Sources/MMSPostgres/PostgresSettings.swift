import Foundation
import NIOSSL
import PostgresNIO

/// Where the PostgreSQL backend connects, parsed from `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?OPTIONS]`
/// (issue 12). The password is never part of ``description``: print the settings freely.
///
/// Options, as libpq spells them: `sslmode` = `disable`, `prefer` (the default: TLS when the server
/// offers it, unverified), `require` (TLS, unverified), `verify-ca` (TLS, the chain checked against
/// `sslrootcert` or the system's roots), `verify-full` (the chain and the host name); `sslrootcert`
/// = a PEM file; `host` = a folder holding the server's unix socket (instead of TCP); `pool_size`
/// = the most connections one server opens (default 20).
public struct PostgresSettings: Sendable, CustomStringConvertible {
    /// TLS as `sslmode` asks.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    /// A folder holding the server's socket `.s.PGSQL.<port>`; when set, the connection is local, not TCP.
    public var unixSocketFolder: String?
    public var username: String
    /// The password; never printed.
    public var password: String?
    public var database: String
    public var tls: TLSMode
    public var rootCertificateFile: String?
    public var poolSize: Int

    /// A URL that is not one of ours: what is wrong, never the password.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String, tls: TLSMode = .prefer,
        unixSocketFolder: String? = nil, rootCertificateFile: String? = nil, poolSize: Int = 20
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.unixSocketFolder = unixSocketFolder
        self.rootCertificateFile = rootCertificateFile
        self.poolSize = poolSize
    }

    /// Parses a `postgres://` (or `postgresql://`) URL. - Throws: ``Invalid`` naming the part that is wrong.
    public init(url text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw Invalid(description: "the database URL must look like postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw Invalid(description: "the database URL names no user (postgres://USER@HOST/DATABASE)")
        }
        let database = String(components.percentEncodedPath.dropFirst()).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw Invalid(description: "the database URL names no database (postgres://USER@HOST/DATABASE)")
        }
        var settings = PostgresSettings(
            host: components.host ?? "", port: components.port ?? 5432, username: user,
            password: components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }, database: database)
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw Invalid(description: "sslmode '\(value)' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                settings.tls = mode
            case "sslrootcert": settings.rootCertificateFile = value
            case "host":
                guard value.hasPrefix("/") else { throw Invalid(description: "the host option must be the folder of the server's socket") }
                settings.unixSocketFolder = value
            case "pool_size":
                guard let size = Int(value), (1...1000).contains(size) else { throw Invalid(description: "pool_size must be 1 to 1000") }
                settings.poolSize = size
            default:
                throw Invalid(description: "the database URL's option '\(item.name)' is not known (sslmode, sslrootcert, host, pool_size)")
            }
        }
        guard settings.unixSocketFolder != nil || !settings.host.isEmpty else {
            throw Invalid(description: "the database URL names no host")
        }
        self = settings
    }

    /// The URL without its password (for logs and messages).
    public var description: String {
        let place = unixSocketFolder.map { "\($0)/.s.PGSQL.\(port)" } ?? "\(host):\(port)"
        return "postgres://\(username)@\(place)/\(database) (sslmode \(tls.rawValue))"
    }

    func tlsConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tls {
        case .disable, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let file = rootCertificateFile {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
        }
        return configuration
    }

    /// The pool's configuration.
    func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let folder = unixSocketFolder {
            configuration = PostgresClient.Configuration(
                unixSocketPath: "\(folder)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch self.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try tlsConfiguration())
            case .require, .verifyCA, .verifyFull: tls = .require(try tlsConfiguration())
            }
            configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// A single connection's configuration (start-up checks and the schema migration).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        if let folder = unixSocketFolder {
            return PostgresConnection.Configuration(
                unixSocketPath: "\(folder)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        }
        let tls: PostgresConnection.Configuration.TLS
        switch self.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: try tlsConfiguration()))
        case .require, .verifyCA, .verifyFull: tls = .require(try NIOSSLContext(configuration: try tlsConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
