import Foundation
import MMSCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Secrets as files in `<data-dir>/secrets`, a directory 0700 with files 0600 (R6).
///
/// A secret is written to a temporary file created 0600 and renamed over the old one, so a crash
/// never leaves half a secret, and it is never readable by another user even for an instant.
/// Names are the store's own (``SecretName``), made of tenant ids and fixed words; anything else
/// is refused, so a name can never reach outside the directory.
public struct FileSecretStore: SecretStore {
    let directory: String

    /// The store in `<dataDirectory>/secrets`, created 0700 if missing.
    public init(dataDirectory: String) throws {
        self.directory = (dataDirectory as NSString).appendingPathComponent("secrets")
        if mkdir(self.directory, 0o700) != 0, errno != EEXIST {
            throw DataDirectory.Refusal(description: "\(self.directory) cannot be created: \(String(cString: strerror(errno)))")
        }
        _ = chmod(self.directory, 0o700)
    }

    private func path(_ name: String) throws -> String {
        guard !name.isEmpty, name.utf8.allSatisfy({ byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D
        }) else {
            throw DataDirectory.Refusal(description: "secret name \(FieldRules.quoted(name)) is not one the server uses")
        }
        return (directory as NSString).appendingPathComponent(name)
    }

    public func secret(_ name: String) throws -> String? {
        let path = try self.path(name)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    public func setSecret(_ secret: String?, for name: String) throws {
        let path = try self.path(name)
        guard let secret else {
            if unlink(path) != 0, errno != ENOENT {
                throw DataDirectory.Refusal(description: "\(path) cannot be removed: \(String(cString: strerror(errno)))")
            }
            return
        }
        let temporary = path + ".new"
        _ = unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DataDirectory.Refusal(description: "\(temporary) cannot be created: \(String(cString: strerror(errno)))") }
        let bytes = Array(secret.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            _ = unlink(temporary)
            throw DataDirectory.Refusal(description: "\(path) cannot be written: \(String(cString: strerror(errno)))")
        }
    }
}
