import Logging
import MMSRPCServer
import ServiceLifecycle
import UnixSignals

/// Loads the TLS certificate, key and client CAs again on each SIGHUP (issue 13).
///
/// New connections get the new certificate; open connections keep the one they were accepted
/// with and are not dropped. A reload that fails (a missing file, a key others may read, an
/// expired certificate) is logged and changes nothing: the server goes on with what it had.
struct TLSReloadService: Service {
    let tls: ServerTLS
    /// Made before the server serves, so that no SIGHUP finds it untrapped (which ends a process).
    let hangups: UnixSignalsSequence
    let logger: Logger

    func run() async throws {
        for await _ in self.hangups.cancelOnGracefulShutdown() {
            do {
                let summary = try self.tls.reload()
                self.logger.notice("SIGHUP: TLS reloaded for new connections; open connections keep theirs", metadata: ["tls": "\(summary)"])
            } catch {
                self.logger.error("SIGHUP: TLS not reloaded, still serving the previous certificate: \(error.message)")
            }
        }
    }
}
