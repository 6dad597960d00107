import AsyncHTTPClient
import Foundation
import Logging
import MMSCalDAV
import MMSCore
import Synchronization

/// The CalDAV connector of `mms-server`: one HTTP client shared by every tenant's CalDAV mailbox,
/// made on first use and shut down with the server.
final class CalDAVConnector: Sendable {
    private let client = Mutex<HTTPClient?>(nil)
    private let logger: Logger
    private let requestObserver: CalDAVMailbox.RequestObserver?

    init(logger: Logger, requestObserver: CalDAVMailbox.RequestObserver? = nil) {
        self.logger = logger
        self.requestObserver = requestObserver
    }

    /// A tenant's mailbox from its settings and password.
    func mailbox(_ settings: MailboxSettings, password: String?) throws -> any Mailbox {
        let client = self.client.withLock { client in
            if let client { return client }
            let made = HTTPClient(eventLoopGroupProvider: .singleton, configuration: CalDAVMailbox.httpClientConfiguration())
            client = made
            return made
        }
        return try CalDAVMailbox(settings: settings, password: password, httpClient: client, logger: logger, requestObserver: self.requestObserver)
    }

    /// Shuts the HTTP client down, if one was made.
    func shutdown() async {
        guard let client = self.client.withLock({ client in defer { client = nil }; return client }) else { return }
        try? await client.shutdown()
    }
}
