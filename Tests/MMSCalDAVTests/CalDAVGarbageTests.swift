import AsyncHTTPClient
import Foundation
import Logging
import MMSCalDAV
import MMSCore
import Testing

/// A tiny HTTP server of the test's own (Python's http.server) that answers every request with
/// nonsense: the mailbox must give a clear ``MailboxError`` within its limits, never crash or hang.
@Suite("CalDAV mailbox against a server that sends garbage")
struct CalDAVGarbageTests {
    static let script = #"""
    import sys, time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    mode, port = sys.argv[1], int(sys.argv[2])
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args): pass
        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length: self.rfile.read(length)
            if mode == "hang":
                time.sleep(3600)
                return
            if mode == "redirect":
                self.send_response(302); self.send_header("Location", self.path + "x"); self.send_header("Content-Length", "0"); self.end_headers(); return
            if mode == "huge-length":
                self.send_response(207); self.send_header("Content-Type", "application/xml"); self.send_header("Content-Length", str(20 << 20)); self.end_headers()
                try: self.wfile.write(b'<?xml version="1.0"?><multistatus xmlns="DAV:">')
                except Exception: pass
                time.sleep(3600)
                return
            if mode == "huge":
                self.send_response(207); self.send_header("Content-Type", "application/xml"); self.end_headers()
                chunk = b"<a>" * 65536
                try:
                    self.wfile.write(b'<?xml version="1.0"?><multistatus xmlns="DAV:">')
                    for _ in range(200): self.wfile.write(chunk)
                except Exception: pass
                self.close_connection = True
                return
            good = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:good\r\nDTSTAMP:20260101T000000Z\r\n"
                    "DTSTART:20360101T100000Z\r\nDTEND:20360101T110000Z\r\nSUMMARY:Fine\r\nORGANIZER:mailto:alice@example.com\r\n"
                    "END:VEVENT\r\nEND:VCALENDAR\r\n")
            def item(href, data):
                return ("<response><href>" + href + "</href><propstat><prop><getetag>\"e-" + href + "\"</getetag>"
                        "<C:calendar-data>" + data + "</C:calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat></response>")
            mixed = ("<?xml version='1.0'?><multistatus xmlns='DAV:' xmlns:C='urn:ietf:params:xml:ns:caldav'>"
                     "<response><href>/alice@example.com/cal/</href><propstat><prop><resourcetype><collection/><C:calendar/></resourcetype>"
                     "</prop><status>HTTP/1.1 200 OK</status></propstat></response>"
                     + item("/alice@example.com/cal/bad.ics", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nthis is no content line\r\n")
                     + item("/alice@example.com/cal/good.ics", good)
                     + "</multistatus>").encode()
            body = {
                "mixed": mixed,
                "xml": b"<?xml version='1.0'?><multistatus xmlns='DAV:'><response><href>/x</href><propstat>&bogus;<<</",
                "html": b"<html><body>It works!</body></html>",
                "deep": b"<?xml version='1.0'?><multistatus xmlns='DAV:'>" + b"<response>" * 100000,
                "binary": bytes(range(256)) * 64,
                "teapot": b"",
            }[mode]
            self.send_response(418 if mode == "teapot" else 207)
            self.send_header("Content-Type", "application/xml"); self.send_header("Content-Length", str(len(body))); self.end_headers()
            self.wfile.write(body)
        do_GET = do_PUT = do_PROPFIND = do_REPORT = answer
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    if len(sys.argv) > 4:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()
    """#

    static func withGarbageServer(_ mode: String, tls: (certificate: String, key: String)? = nil, _ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mms-garbage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("garbage.py")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let python = try #require(CalDAVServer.executable("python3"), "python3 is needed (Debian package python3)")
        let port = try CalDAVServer.freePort()
        let process = Process()
        process.executableURL = python
        process.arguments = [file.path, mode, String(port)] + (tls.map { [$0.certificate, $0.key] } ?? [])
        try process.run()
        defer { CalDAVServer.kill(process) }
        var ready = false
        for _ in 0..<100 {
            if CalDAVServer.canConnect(port) { ready = true; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(ready, "the garbage server did not start")
        try await body("\(tls == nil ? "http" : "https")://127.0.0.1:\(port)/")
    }

    static func mailbox(_ url: String, limits: CalDAVLimits, caFile: String = "") throws -> CalDAVMailbox {
        try CalDAVMailbox(
            settings: MailboxSettings(tenant: Fixtures.tenant, kind: .calDAV, url: url, username: "mms", pathTemplate: "/{user}/", caFile: caFile),
            password: "x", httpClient: CalDAVContractTests.client, logger: Logger(label: "test.garbage"), limits: limits)
    }

    /// Small caps; a generous timeout (the machine may be loaded), but for the server that never answers.
    static func small(timeout: Duration = .seconds(60)) -> CalDAVLimits {
        CalDAVLimits(maxResourceBytes: 1 << 20, maxResponseBytes: 1 << 20, requestTimeout: timeout, maxRedirects: 3)
    }

    enum Expected: Sendable { case malformed, unavailable }

    @Test("garbage answers give a clear error", arguments: [
        ("xml", Expected.malformed), ("html", .malformed), ("deep", .malformed), ("binary", .malformed), ("huge", .malformed), ("huge-length", .malformed),
        ("redirect", .malformed), ("teapot", .malformed), ("hang", .unavailable),
    ])
    func garbage(_ mode: String, _ expected: Expected) async throws {
        try await Self.withGarbageServer(mode) { url in
            let mailbox = try Self.mailbox(url, limits: Self.small(timeout: mode == "hang" ? .seconds(2) : .seconds(60)))
            await #expect {
                _ = try await mailbox.futureMeetings(of: Fixtures.user, now: Date())
            } throws: { error in
                switch (error as? MailboxError, expected) {
                case (.malformed(let message)?, .malformed), (.unavailable(let message)?, .unavailable):
                    return !message.isEmpty
                default:
                    Issue.record("\(mode): \(error)")
                    return false
                }
            }
        }
    }
}

extension CalDAVGarbageTests {
    @Test("a resource over the size cap is unreadable, naming the cap")
    func resourceOverCap() async throws {
        try await Self.withGarbageServer("mixed") { url in
            let limits = CalDAVLimits(maxResourceBytes: 100, maxResponseBytes: 1 << 20, requestTimeout: .seconds(60), maxRedirects: 3)
            let found = try await Self.mailbox(url, limits: limits).futureMeetings(of: Fixtures.user, now: Date())
            let good = try #require(found.first { $0.location.hasSuffix("/good.ics") })
            #expect(good.unreadable?.contains("larger than 100 bytes") == true)
        }
    }

    @Test("https is verified: against the CA file when set, against the system trust store otherwise")
    func tlsVerification() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mms-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        _ = try Command.run("openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ])
        try await Self.withGarbageServer("mixed", tls: (certificate, key)) { url in
            // Trusted through the CA file: the TLS handshake succeeds and the meetings are read.
            let trusted = try Self.mailbox(url, limits: Self.small(), caFile: certificate)
            let found = try await trusted.futureMeetings(of: Fixtures.user, now: Date())
            #expect(found.contains { $0.meeting.id.rawValue == "good" })
            // The same self-signed server against the system trust store: refused, and the message says what to check.
            let untrusted = try Self.mailbox(url, limits: Self.small())
            await #expect {
                _ = try await untrusted.futureMeetings(of: Fixtures.user, now: Date())
            } throws: { error in
                guard case MailboxError.misconfigured(let message) = error else {
                    Issue.record("\(error)")
                    return false
                }
                return message.contains("CA file")
            }
        }
    }

    @Test("a resource that is not iCalendar is returned as unreadable, naming it, and the rest goes on")
    func unreadableResource() async throws {
        try await Self.withGarbageServer("mixed") { url in
            let mailbox = try Self.mailbox(url, limits: .defaults)
            let found = try await mailbox.futureMeetings(of: Fixtures.user, now: Date())
            #expect(found.count == 2)
            let good = try #require(found.first { $0.unreadable == nil })
            #expect(good.meeting.id.rawValue == "good")
            #expect(good.meeting.subject == "Fine")
            #expect(good.revision == "\"e-/alice@example.com/cal/good.ics\"")
            let bad = try #require(found.first { $0.unreadable != nil })
            #expect(bad.location == url + "alice@example.com/cal/bad.ics")
            #expect(bad.unreadable?.hasPrefix(bad.location + ": ") == true)
            #expect(bad.meeting.id != good.meeting.id)
            let report = try await mailbox.test(organizer: Fixtures.user, now: Date())
            #expect(report.futureMeetings == 1)
            #expect(report.unreadable.count == 1)
            #expect(report.calendars == [url + "alice@example.com/cal/"])
        }
    }
}

@Suite("CalDAV mailbox settings")
struct CalDAVSettingsTests {
    static func make(_ url: String, insecure: Bool = false, caFile: String = "") throws -> CalDAVMailbox {
        try CalDAVMailbox(
            settings: MailboxSettings(tenant: Fixtures.tenant, kind: .calDAV, url: url, caFile: caFile, allowInsecureHTTP: insecure),
            password: nil, httpClient: CalDAVContractTests.client, logger: Logger(label: "test"))
    }

    @Test("a URL that is not http(s) with a host is misconfigured", arguments: ["", "cal.example.com", "ftp://cal.example.com/", "https://", "not a url"])
    func badURL(_ url: String) {
        #expect(throws: MailboxError.self) { try Self.make(url) }
        do { _ = try Self.make(url) } catch let error as MailboxError {
            guard case .misconfigured(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains("--url"))
        } catch { Issue.record("\(error)") }
    }

    @Test("plain http to a host other than loopback needs --allow-insecure-http")
    func insecureHTTP() throws {
        do {
            _ = try Self.make("http://cal.example.com/")
            Issue.record("accepted plain http to cal.example.com")
        } catch MailboxError.misconfigured(let message) {
            #expect(message.contains("--allow-insecure-http"))
        }
        _ = try Self.make("http://cal.example.com/", insecure: true)
        _ = try Self.make("http://127.0.0.1:5232/")
        _ = try Self.make("http://localhost/")
        _ = try Self.make("http://[::1]:8080/")
        _ = try Self.make("https://cal.example.com/")
    }

    @Test("an unreadable CA file is misconfigured")
    func badCAFile() throws {
        do {
            _ = try Self.make("https://cal.example.com/", caFile: "/nonexistent/ca.pem")
            Issue.record("accepted a missing CA file")
        } catch MailboxError.misconfigured(let message) {
            #expect(message.contains("/nonexistent/ca.pem"))
        }
    }
}
