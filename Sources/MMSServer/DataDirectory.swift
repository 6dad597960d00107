import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's data directory: every tenant's data and the token hashes, so readable by the
/// server's user alone (issue 9, R6).
///
/// ``prepare(_:files:)`` makes it so whatever the umask: the directory is created 0700 (an
/// existing one is tightened to 0700), the database files are created 0600 before SQLite opens
/// them (SQLite gives its `-wal` and `-shm` files the mode of the database file), and every file
/// already there is tightened to 0600. It refuses, with a message saying what to fix, a path that
/// is not a directory, a directory owned by another user, or one that other users can write to:
/// they could have replaced the databases or planted links in it.
public enum DataDirectory {
    /// Why the data directory cannot be used.
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Makes `path` a private data directory and creates each of `files` in it (mode 0600) if missing,
    /// after `before` has checked what is there.
    /// - Returns: a line for each permission it tightened, for the log.
    /// - Throws: ``Refusal``.
    @discardableResult
    public static func prepare(_ path: String, files: [String], before: (String) throws -> Void = { _ in }) throws -> [String] {
        var changes: [String] = []
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw Refusal(description: "data directory \(path): \(String(cString: strerror(errno)))") }
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
                throw Refusal(description: "data directory \(path) cannot be created: \(String(cString: strerror(errno)))")
            }
            guard lstat(path, &info) == 0 else { throw Refusal(description: "data directory \(path): \(String(cString: strerror(errno)))") }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw Refusal(description: "data directory \(path) is not a directory (a symbolic link or a file is not accepted): give a directory")
        }
        guard info.st_uid == geteuid() else {
            throw Refusal(description: "data directory \(path) belongs to user id \(info.st_uid), not to the server's user (\(geteuid())): "
                + "give a directory the server's user owns")
        }
        let mode = info.st_mode & 0o777
        if mode & 0o022 != 0 {
            throw Refusal(description: "data directory \(path) can be written by other users (mode \(String(mode, radix: 8))): "
                + "run chmod 700 \(path), or give another directory")
        }
        if mode != 0o700 {
            guard chmod(path, 0o700) == 0 else { throw Refusal(description: "data directory \(path): chmod 700 failed: \(String(cString: strerror(errno)))") }
            changes.append("data directory \(path): mode \(String(mode, radix: 8)) tightened to 700")
        }
        // The files already there are checked (DataFiles) before any is created.
        try before(path)
        for file in files {
            let filePath = (path as NSString).appendingPathComponent(file)
            let fd = open(filePath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for name in names.sorted() {
            let filePath = (path as NSString).appendingPathComponent(name)
            var fileInfo = stat()
            guard lstat(filePath, &fileInfo) == 0, fileInfo.st_mode & S_IFMT == S_IFREG else { continue }
            let fileMode = fileInfo.st_mode & 0o777
            guard fileMode & 0o077 != 0 else { continue }
            guard chmod(filePath, fileMode & 0o700) == 0 else {
                throw Refusal(description: "\(filePath): chmod failed: \(String(cString: strerror(errno)))")
            }
            changes.append("\(filePath): mode \(String(fileMode, radix: 8)) tightened to \(String(fileMode & 0o700, radix: 8))")
        }
        return changes
    }
}
