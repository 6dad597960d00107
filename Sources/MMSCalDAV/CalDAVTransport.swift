import AsyncHTTPClient
import Foundation
import Logging
import MMSCore
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// One HTTP exchange with a CalDAV server: the request goes out with Basic credentials, the
/// mailbox's TLS configuration and its timeout; redirects are followed up to the limit (to the same
/// origin only, so credentials never leave it); the body is read up to a cap. Transport failures
/// become ``MailboxError``s here; statuses are the caller's business.
struct CalDAVTransport: Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        /// The URL that answered (after redirects).
        var url: URL
    }

    let client: HTTPClient
    let authorization: String?
    let tlsConfiguration: TLSConfiguration?
    let limits: CalDAVLimits
    let logger: Logger
    let username: String
    let observer: CalDAVMailbox.RequestObserver?
    let counter = RequestCounter()

    func send(
        _ method: HTTPMethod, _ url: URL, headers: [(String, String)] = [], body: Data? = nil, maxBytes: Int, what: String
    ) async throws(MailboxError) -> Response {
        var target = url
        var redirects = 0
        while true {
            let response = try await once(method, target, headers: headers, body: body, maxBytes: maxBytes, what: what)
            guard [301, 302, 303, 307, 308].contains(response.status) else { return response }
            guard redirects < limits.maxRedirects else {
                throw MailboxError.malformed("the CalDAV server redirected \(what) more than \(limits.maxRedirects) times (last to \(target.absoluteString))")
            }
            guard let location = response.headers.first(name: "Location"), let next = URL(string: location, relativeTo: target)?.absoluteURL else {
                throw MailboxError.malformed("the CalDAV server answered \(what) with redirect \(response.status) without a usable Location")
            }
            guard next.scheme == target.scheme, next.host == target.host, next.port == target.port else {
                throw MailboxError.misconfigured(
                    "the CalDAV server redirected \(what) to another server (\(next.absoluteString)); set the mailbox URL to that server")
            }
            redirects += 1
            target = next
        }
    }

    /// One request, told to the observer (if any) with its status and duration.
    private func once(
        _ method: HTTPMethod, _ url: URL, headers: [(String, String)], body: Data?, maxBytes: Int, what: String
    ) async throws(MailboxError) -> Response {
        guard let observer else { return try await exchange(method, url, headers: headers, body: body, maxBytes: maxBytes, what: what) }
        let start = ContinuousClock.now
        func elapsed() -> Int64 {
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        }
        do {
            let response = try await exchange(method, url, headers: headers, body: body, maxBytes: maxBytes, what: what)
            observer(method.rawValue, response.status, elapsed())
            return response
        } catch {
            observer(method.rawValue, nil, elapsed())
            throw error
        }
    }

    private func exchange(
        _ method: HTTPMethod, _ url: URL, headers: [(String, String)], body: Data?, maxBytes: Int, what: String
    ) async throws(MailboxError) -> Response {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.headers.add(name: "User-Agent", value: "mms-server CalDAV")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        request.tlsConfiguration = tlsConfiguration
        counter.count(method.rawValue)
        let timeout = limits.requestTimeout
        let client = self.client
        let prepared = request
        do {
            return try await withDeadline(timeout) {
                let response = try await client.execute(prepared, timeout: TimeAmount.nanoseconds(Int64(timeout.nanoseconds)))
                if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > maxBytes {
                    throw TooLarge(bytes: length)
                }
                let buffer = try await response.body.collect(upTo: maxBytes)
                let data = Data(buffer.readableBytesView)
                logger.debug("CalDAV \(method.rawValue) \(url.path) → \(response.status.code), \(data.count) bytes")
                return Response(status: Int(response.status.code), headers: response.headers, body: data, url: url)
            }
        } catch let error as TooLarge {
            throw MailboxError.malformed("the CalDAV server's answer to \(what) is larger than \(maxBytes) bytes (\(error.bytes.map { "\($0) bytes" } ?? "more"))")
        } catch is NIOTooManyBytesError {
            throw MailboxError.malformed("the CalDAV server's answer to \(what) is larger than \(maxBytes) bytes")
        } catch is DeadlineExceeded {
            throw MailboxError.unavailable("the CalDAV server did not answer \(what) within \(timeout)")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw MailboxError.unavailable("the CalDAV server did not answer \(what) within \(timeout)")
        } catch let error as HTTPClientError where error == .redirectLimitReached || error == .redirectCycleDetected {
            // Only with a client that follows redirects itself (not httpClientConfiguration()'s).
            throw MailboxError.malformed("the CalDAV server redirected \(what) too often or in a cycle")
        } catch let error as NIOSSLError {
            throw MailboxError.misconfigured("TLS with the CalDAV server failed for \(what) (\(error)); check the server's certificate or the mailbox's CA file")
        } catch is CancellationError {
            throw MailboxError.unavailable("\(what) was cancelled")
        } catch {
            let text = String(describing: error)
            if text.contains("handshake") || text.contains("certificate") || text.contains("CERTIFICATE") {
                throw MailboxError.misconfigured("TLS with the CalDAV server failed for \(what) (\(text)); check the server's certificate or the mailbox's CA file")
            }
            let server = url.host.map { host in url.port.map { "\(host):\($0)" } ?? host } ?? "the CalDAV server"
            throw MailboxError.unavailable("the CalDAV server at \(server) could not be reached for \(what): \(text); is it running, and is the URL right?")
        }
    }

    struct TooLarge: Error { var bytes: Int? }

    /// How many requests were sent, by method.
    final class RequestCounter: Sendable {
        private let counts = Mutex<[String: Int]>([:])
        func count(_ method: String) { counts.withLock { $0[method, default: 0] += 1 } }
        var snapshot: [String: Int] { counts.withLock { $0 } }
    }
    struct DeadlineExceeded: Error {}
}

/// Runs `body`, cancelling it and throwing ``CalDAVTransport/DeadlineExceeded`` when it takes longer than `limit`.
func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit + .seconds(1))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw CalDAVTransport.DeadlineExceeded() }
        return value
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
