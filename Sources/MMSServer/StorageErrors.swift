import GRDB
import MMSRPC

/// SQLite's errors as the statuses a caller can act on (issue 14), instead of `UNKNOWN` "the
/// handler failed". Only SQLite's own words go out, never the statement or its arguments.
extension DatabaseError: RPCErrorConvertible {
    public var rpcError: RPCError {
        let words = self.message ?? "SQLite error \(self.resultCode.rawValue)"
        switch self.resultCode {
        case .SQLITE_FULL:
            // SQLite fails the write before the commit: nothing of the call was saved.
            return RPCError(.resourceExhausted,
                            "the server's disk is full (\(words)): nothing was saved; free space on the data directory's filesystem, then retry")
        case .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_PROTOCOL, .SQLITE_NOMEM:
            // An I/O error may come after the commit was written (a failed fsync): read before retrying.
            return RPCError(.unavailable, "the server could not use its database (\(words)): the call may not have been saved; read it back, then retry")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return RPCError(.dataLoss, "the server's database file is damaged (\(words)): the operator must restore it from a backup")
        default:
            return RPCError(.internalError, "the server's database refused the call (\(words))")
        }
    }
}
