import Logging
import ServiceLifecycle

/// On servers that share one database (issue 12), re-reads the tokens every `interval`, so a token
/// issued or revoked on one server is honoured by the others within that time.
struct TokenRefreshService: Service {
    let auth: Authenticator
    let logger: Logger
    var interval: Duration = .seconds(2)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await Task.sleep(for: interval) } catch { return }
            do { try await auth.reload() } catch {
                logger.warning("tokens not re-read from the database; the previous ones stay in force", metadata: ["error": "\(error)"])
            }
        }
    }
}
