import GRDB
import MMSRPC
@testable import MMSServer
import Testing

/// Issue 14: SQLite's errors reach a caller as statuses it can act on, with SQLite's words only.
@Suite("SQLite errors as statuses")
struct StorageErrorTests {
    @Test("SQLITE_FULL is RESOURCE_EXHAUSTED, I/O errors UNAVAILABLE, damage DATA_LOSS, the rest INTERNAL; no statement is quoted",
          arguments: [
              (ResultCode.SQLITE_FULL, StatusCode.resourceExhausted), (.SQLITE_IOERR_WRITE, .unavailable), (.SQLITE_IOERR, .unavailable),
              (.SQLITE_BUSY, .unavailable), (.SQLITE_READONLY, .unavailable), (.SQLITE_CORRUPT, .dataLoss), (.SQLITE_NOTADB, .dataLoss),
              (.SQLITE_CONSTRAINT, .internalError),
          ])
    func mapping(_ code: ResultCode, _ status: StatusCode) {
        let error = DatabaseError(resultCode: code, message: "words from SQLite", sql: "INSERT INTO secrets VALUES ('hunter2')")
        let mapped = error.rpcError
        #expect(mapped.code == status, "\(code) → \(mapped.code)")
        #expect(mapped.message.contains("words from SQLite"))
        #expect(!mapped.message.contains("hunter2") && !mapped.message.contains("INSERT"), "\(mapped.message)")
    }
}
