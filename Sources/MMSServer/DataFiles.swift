import Foundation
import GRDB

/// The server's two SQLite files, checked before anything opens or creates them (issue 14): a file
/// that is not SQLite, an SQLite database of another program, or a database that is gone while
/// the other is in use is refused with one line naming the file. Nothing is ever recreated over it.
enum DataFiles {
    /// The first 16 bytes of every SQLite 3 database (https://sqlite.org/fileformat.html, 1.3).
    static let sqliteHeader = Array("SQLite format 3\u{0}".utf8)

    /// Checks `files` (the migration store's first) in `directory`.
    /// - Throws: ``DataDirectory/Refusal``.
    static func check(_ directory: String, files: [String]) throws {
        let inUse = files.filter { file in
            let path = (directory as NSString).appendingPathComponent(file)
            return ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0 > 0
        }
        // Headers first, so a refusal opens (and so checkpoints) no database at all.
        for file in inUse { try checkHeader((directory as NSString).appendingPathComponent(file)) }
        for file in inUse { try checkTables((directory as NSString).appendingPathComponent(file)) }
        // The migration store is created first: a used access store without it means it was lost.
        if let first = files.first, !inUse.isEmpty, !inUse.contains(first) {
            let path = (directory as NSString).appendingPathComponent(first)
            throw DataDirectory.Refusal(description: "\(path) is missing or empty while \(inUse.joined(separator: ", ")) in the same data directory is in use: "
                + "the server will not start afresh over lost data; restore \(first) from a backup, or give an empty --data-dir")
        }
    }

    private static func checkHeader(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataDirectory.Refusal(description: "\(path) cannot be read: check its owner and mode")
        }
        let head = Array(handle.readData(ofLength: sqliteHeader.count))
        try? handle.close()
        guard head == sqliteHeader else {
            let shown = head.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw DataDirectory.Refusal(description: "\(path) is not an SQLite database (it begins with \(shown)): it is not a file of this server; "
                + "move it away or restore it from a backup (nothing was changed)")
        }
    }

    private static func checkTables(_ path: String) throws {
        // Opened read-write (a read-only connection cannot replay the WAL a kill -9 left), but only read.
        let tables: [String]
        do {
            let queue = try DatabaseQueue(path: path)
            tables = try queue.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") }
            try queue.close()
        } catch let error as DatabaseError {
            throw DataDirectory.Refusal(description: "\(path) cannot be opened as an SQLite database (\(error.message ?? "SQLite error \(error.resultCode.rawValue)")): "
                + "it is damaged; restore it from a backup (nothing was changed)")
        }
        // Every database of this server records its schema versions in grdb_migrations.
        guard tables.isEmpty || tables.contains("grdb_migrations") else {
            throw DataDirectory.Refusal(description: "\(path) is an SQLite database of another program (tables: \(tables.prefix(5).joined(separator: ", "))): "
                + "the server will not add its tables to it; move it away or give another --data-dir (nothing was changed)")
        }
    }
}
