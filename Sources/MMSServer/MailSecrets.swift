import Foundation
import MMSCore

/// The tenants' SMTP passwords: one file each, `<data-dir>/secrets/smtp-<tenant>`, mode 0600 in a
/// 0700 folder (R6). Never in the database, never returned by a call, never logged.
struct MailSecrets: Sendable {
    let folder: String

    init(dataDirectory: String) {
        folder = (dataDirectory as NSString).appendingPathComponent("secrets")
    }

    /// The file of `tenant`'s password: the tenant id hex-encoded, so no id can name another path.
    func path(_ tenant: TenantID) -> String {
        let name = tenant.rawValue.utf8.map { String(format: "%02x", $0) }.joined()
        return (folder as NSString).appendingPathComponent("smtp-\(name)")
    }

    /// The tenant's password, or nil when none is kept.
    func password(_ tenant: TenantID) throws -> String? {
        let file = path(tenant)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        return String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
    }

    /// Keeps (or with nil removes) the tenant's password; the file is created 0600 before a byte is written.
    func setPassword(_ password: String?, for tenant: TenantID) throws {
        if mkdir(folder, 0o700) != 0 && errno != EEXIST {
            throw MailSecretError("cannot create \(folder): \(String(cString: strerror(errno)))")
        }
        guard chmod(folder, 0o700) == 0 else { throw MailSecretError("cannot chmod 700 \(folder): \(String(cString: strerror(errno)))") }
        let file = path(tenant)
        guard let password else {
            if unlink(file) != 0 && errno != ENOENT { throw MailSecretError("cannot remove \(file): \(String(cString: strerror(errno)))") }
            return
        }
        let temporary = file + ".new"
        _ = unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw MailSecretError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array(password.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0, rename(temporary, file) == 0 else {
            _ = unlink(temporary)
            throw MailSecretError("cannot write \(file): \(String(cString: strerror(errno)))")
        }
    }
}

struct MailSecretError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
