#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOSSL

/// TLS material that cannot be used: the message names the file and the fix.
public struct TLSSetupError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { self.message }
}

/// Reading and checking the PEM files of TLS, shared by the server and the client.
public enum TLSFiles {
    /// Refuses a key file that other users may read or write, or that another user owns, as
    /// the data directory rule does (README, "The data directory").
    public static func checkKeyFileIsPrivate(_ path: String) throws(TLSSetupError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TLSSetupError("cannot read the TLS key file \(path): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & mode_t(S_IFMT)) == mode_t(S_IFREG) else {
            throw TLSSetupError("the TLS key file \(path) is not a regular file")
        }
        let user = geteuid()
        guard info.st_uid == user else {
            throw TLSSetupError(
                "the TLS key file \(path) is owned by user id \(info.st_uid), not by the server's user (\(user)): "
                    + "give the server its own copy (chown \(user) \(path); chmod 600 \(path))")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw TLSSetupError(
                "the TLS key file \(path) can be read or written by other users (mode \(String(mode, radix: 8))): "
                    + "it must be the server's user's alone; run chmod 600 \(path)")
        }
    }

    /// Every certificate of a PEM file, at least one.
    public static func certificates(_ path: String, what: String) throws(TLSSetupError) -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw TLSSetupError("\(what) \(path): cannot read PEM certificates from it (\(Self.reason(error, path: path)))")
        }
        guard !certificates.isEmpty else {
            throw TLSSetupError("\(what) \(path): the file holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        return certificates
    }

    /// The private key of a PEM file. The error never quotes the file's content.
    public static func privateKey(_ path: String) throws(TLSSetupError) -> NIOSSLPrivateKey {
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw TLSSetupError("--tls-key \(path): cannot read a PEM private key from it (\(Self.reason(error, path: path)))")
        }
    }

    /// Refuses a certificate outside its validity period, naming the dates.
    public static func checkValidNow(_ certificate: NIOSSLCertificate, file: String) throws(TLSSetupError) {
        let now = time(nil)
        if certificate.notValidAfter < now {
            throw TLSSetupError("the certificate in \(file) expired on \(Self.format(certificate.notValidAfter)): renew it")
        }
        if certificate.notValidBefore > now {
            throw TLSSetupError("the certificate in \(file) is not valid before \(Self.format(certificate.notValidBefore))")
        }
    }

    /// Subject common name, serial number and expiry, for logs.
    public static func describe(_ certificate: NIOSSLCertificate) -> String {
        let name = certificate.subjectName.first { $0.type == .commonName }?.value ?? "(no common name)"
        let serial = certificate.serialNumber.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        return "CN=\(name), serial \(serial), valid until \(Self.format(certificate.notValidAfter))"
    }

    /// A time as `2026-12-02 00:41:25 UTC`.
    public static func format(_ time: time_t) -> String {
        var seconds = time
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) UTC"
    }

    private static func reason(_ error: any Error, path: String) -> String {
        if access(path, R_OK) != 0 { return String(cString: strerror(errno)) }
        return "\(error)"
    }
}
