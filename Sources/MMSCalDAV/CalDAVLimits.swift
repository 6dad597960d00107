import Foundation

/// Bounds on what one CalDAV mailbox accepts from its server, so a server that sends garbage or
/// too much gets a clear ``MMSCore/MailboxError`` and never exhausts memory or hangs a worker.
public struct CalDAVLimits: Sendable, Hashable {
    /// The largest calendar object resource (one `.ics`) read or written, in bytes.
    public var maxResourceBytes: Int
    /// The largest response body (a `REPORT` or `PROPFIND` multistatus), in bytes.
    public var maxResponseBytes: Int
    /// How long one request may take, from sending it to the last byte of its response.
    public var requestTimeout: Duration
    /// How many redirects one request follows.
    public var maxRedirects: Int

    /// Creates limits.
    public init(maxResourceBytes: Int, maxResponseBytes: Int, requestTimeout: Duration, maxRedirects: Int) {
        self.maxResourceBytes = maxResourceBytes
        self.maxResponseBytes = maxResponseBytes
        self.requestTimeout = requestTimeout
        self.maxRedirects = maxRedirects
    }

    /// 10 MiB per resource and per response, 30 seconds per request, 3 redirects.
    public static var defaults: CalDAVLimits {
        CalDAVLimits(maxResourceBytes: 10 << 20, maxResponseBytes: 10 << 20, requestTimeout: .seconds(30), maxRedirects: 3)
    }
}
