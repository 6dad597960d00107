import MMSCore
import MMSMIME
import NIOCore
import NIOPosix
import NIOSSL

/// How the SMTP client behaves, beyond a tenant's ``MailSettings``.
public struct SMTPClientConfiguration: Sendable {
    /// The timeouts of every step.
    public var timeouts: SMTPTimeouts
    /// The certificates the relay's must chain to (the system's by default; a test's CA in tests).
    public var trustRoots: NIOSSLTrustRoots
    /// Whether to pipeline MAIL, RCPT and DATA when the server offers PIPELINING (RFC 2920).
    public var usePipelining: Bool
    /// The name given in EHLO.
    public var heloName: String
    /// The event loops connections run on.
    public var group: any EventLoopGroup

    /// Creates a configuration.
    public init(
        timeouts: SMTPTimeouts = .defaults, trustRoots: NIOSSLTrustRoots = .default, usePipelining: Bool = true,
        heloName: String = "mms.localhost", group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.timeouts = timeouts
        self.trustRoots = trustRoots
        self.usePipelining = usePipelining
        self.heloName = heloName
        self.group = group
    }
}

/// What one mail transaction did to each recipient.
struct SMTPTransactionResult: Sendable {
    /// Recipients and the reply that decided them (250 after the data, or a RCPT/DATA refusal).
    var delivered: [(String, SMTPReply)] = []
    var failed: [(String, String)] = []
    var deferred: [(String, String)] = []
}

/// A failure of the transport during a transaction; `dataSent` says whether the server may have
/// the message (the final `.` was written), which decides whether a retry could duplicate it.
struct SMTPTransportFailure: Error, Sendable {
    var error: SMTPError
    var dataSent: Bool
}

/// An open, greeted, EHLO'd (TLS on as asked, authenticated) session, ready for transactions.
final class SMTPSession: Sendable {
    let connection: SMTPConnection
    let extensions: [String: String]
    let pipelining: Bool

    private init(connection: SMTPConnection, extensions: [String: String], pipelining: Bool) {
        self.connection = connection
        self.extensions = extensions
        self.pipelining = pipelining
    }

    /// Whether the server takes internationalised addresses (RFC 6531).
    var offersSMTPUTF8: Bool { extensions["SMTPUTF8"] != nil }

    /// Opens a session with `settings`: connect, greeting, EHLO, STARTTLS (then EHLO again), AUTH.
    static func open(settings: MailSettings, password: String?, configuration: SMTPClientConfiguration) async throws -> SMTPSession {
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        tlsConfiguration.trustRoots = configuration.trustRoots
        tlsConfiguration.minimumTLSVersion = .tlsv12
        let context = settings.tls == .none ? nil : try NIOSSLContext(configuration: tlsConfiguration)
        let connection = try await SMTPConnection.connect(
            host: settings.host, port: settings.port, tls: settings.tls == .tls ? context : nil,
            timeouts: configuration.timeouts, group: configuration.group)
        do {
            let greeting = try await connection.exchange([], replies: 1, step: "the greeting")[0]
            guard greeting.code == 220 else { throw SMTPError("the server refused the session: \(greeting)") }
            var ehlo = try await connection.command("EHLO \(configuration.heloName)")
            guard ehlo.isCompletion else { throw SMTPError("EHLO refused: \(ehlo)") }
            if settings.tls == .starttls, let context {
                guard ehlo.extensions["STARTTLS"] != nil else {
                    throw SMTPError("\(settings.host) does not offer STARTTLS; use --tls tls if it takes TLS from the start")
                }
                let reply = try await connection.command("STARTTLS")
                guard reply.code == 220 else { throw SMTPError("STARTTLS refused: \(reply)") }
                try await connection.startTLS(context)
                ehlo = try await connection.command("EHLO \(configuration.heloName)", step: "EHLO after STARTTLS")
                guard ehlo.isCompletion else { throw SMTPError("EHLO after STARTTLS refused: \(ehlo)") }
            }
            let extensions = ehlo.extensions
            if let username = settings.username {
                try await authenticate(connection, username: username, password: password ?? "", offered: extensions["AUTH"] ?? "")
            }
            return SMTPSession(
                connection: connection, extensions: extensions,
                pipelining: configuration.usePipelining && extensions["PIPELINING"] != nil)
        } catch {
            connection.close()
            throw error
        }
    }

    /// AUTH PLAIN when offered, else LOGIN (RFC 4954, RFC 4616). The secret is never in an error.
    private static func authenticate(_ connection: SMTPConnection, username: String, password: String, offered: String) async throws {
        let mechanisms = Set(offered.uppercased().split(separator: " ").map(String.init))
        if mechanisms.contains("PLAIN") {
            let token = base64(Array("\0\(username)\0\(password)".utf8))
            let reply = try await connection.exchange(Array("AUTH PLAIN \(token)\r\n".utf8), replies: 1, step: "AUTH PLAIN")[0]
            guard reply.code == 235 else { throw SMTPError("the relay refused the user name or password (AUTH PLAIN): \(reply)") }
        } else if mechanisms.contains("LOGIN") {
            let first = try await connection.command("AUTH LOGIN")
            guard first.code == 334 else { throw SMTPError("AUTH LOGIN refused: \(first)") }
            let second = try await connection.exchange(Array((base64(Array(username.utf8)) + "\r\n").utf8), replies: 1, step: "AUTH LOGIN user name")[0]
            guard second.code == 334 else { throw SMTPError("the relay refused the user name (AUTH LOGIN): \(second)") }
            let last = try await connection.exchange(Array((base64(Array(password.utf8)) + "\r\n").utf8), replies: 1, step: "AUTH LOGIN password")[0]
            guard last.code == 235 else { throw SMTPError("the relay refused the user name or password (AUTH LOGIN): \(last)") }
        } else {
            throw SMTPError("a user name is set but the relay offers neither AUTH PLAIN nor AUTH LOGIN (it offers: \(offered.isEmpty ? "no AUTH" : offered))")
        }
    }

    /// One transaction: MAIL FROM, a RCPT TO per recipient, DATA, the dot-stuffed message.
    ///
    /// Pipelined when the server offers it (one round trip for MAIL, every RCPT and DATA).
    /// - Throws: ``SMTPTransportFailure`` when the connection fails; replies are results.
    func transaction(from sender: String, to recipients: [String], smtpUTF8: Bool, message: [UInt8]) async throws -> SMTPTransactionResult {
        var result = SMTPTransactionResult()
        let mailFrom = "MAIL FROM:<\(sender)>" + (smtpUTF8 ? " SMTPUTF8" : "")
        var replies: [SMTPReply]
        do {
            if pipelining {
                let lines = [mailFrom] + recipients.map { "RCPT TO:<\($0)>" } + ["DATA"]
                replies = try await connection.exchange(
                    Array(lines.map { $0 + "\r\n" }.joined().utf8), replies: lines.count, step: "MAIL FROM, RCPT TO and DATA")
            } else {
                replies = [try await connection.command(mailFrom, step: "MAIL FROM")]
                if replies[0].isCompletion {
                    for recipient in recipients { replies.append(try await connection.command("RCPT TO:<\(recipient)>", step: "RCPT TO")) }
                    if replies.dropFirst().contains(where: \.isCompletion) {
                        replies.append(try await connection.command("DATA"))
                    }
                }
            }
        } catch let error as SMTPError {
            throw SMTPTransportFailure(error: error, dataSent: false)
        }
        let mail = replies[0]
        if !mail.isCompletion {
            // The sender was refused: every recipient shares that fate, and the session is reset.
            for recipient in recipients {
                if mail.isPermanent { result.failed.append((recipient, "MAIL FROM refused: \(mail)")) } else { result.deferred.append((recipient, "\(mail)")) }
            }
            if replies.count > recipients.count + 1, replies.last?.code == 354 { _ = try? await sendData([], step: "DATA") }
            _ = try? await connection.command("RSET")
            return result
        }
        var accepted: [String] = []
        for (index, recipient) in recipients.enumerated() {
            guard index + 1 < replies.count else { break }
            let reply = replies[index + 1]
            if reply.isCompletion { accepted.append(recipient) }
            else if reply.isPermanent { result.failed.append((recipient, "\(reply)")) }
            else { result.deferred.append((recipient, "\(reply)")) }
        }
        let dataReply = replies.count == recipients.count + 2 ? replies[recipients.count + 1] : nil
        if accepted.isEmpty {
            // RFC 2920: a 354 with no accepted recipient still needs the data's end; send an empty message.
            if dataReply?.code == 354 { _ = try? await sendData([], step: "DATA") }
            _ = try? await connection.command("RSET")
            return result
        }
        guard let dataReply, dataReply.code == 354 else {
            let reply = dataReply.map { "\($0)" } ?? "no DATA reply"
            for recipient in accepted {
                if dataReply?.isPermanent == true { result.failed.append((recipient, "DATA refused: \(reply)")) } else { result.deferred.append((recipient, reply)) }
            }
            _ = try? await connection.command("RSET")
            return result
        }
        let final: SMTPReply
        do {
            final = try await sendData(message, step: "the message's end")
        } catch let error as SMTPError {
            throw SMTPTransportFailure(error: error, dataSent: true)
        }
        for recipient in accepted {
            if final.isCompletion { result.delivered.append((recipient, final)) }
            else if final.isPermanent { result.failed.append((recipient, "\(final)")) }
            else { result.deferred.append((recipient, "\(final)")) }
        }
        return result
    }

    /// Writes `message` dot-stuffed (RFC 5321 section 4.5.2), then `.`, and reads the reply.
    private func sendData(_ message: [UInt8], step: String) async throws -> SMTPReply {
        var stuffed: [UInt8] = []
        stuffed.reserveCapacity(message.count + message.count / 64 + 5)
        var atLineStart = true
        for byte in message {
            if atLineStart && byte == UInt8(ascii: ".") { stuffed.append(UInt8(ascii: ".")) }
            stuffed.append(byte)
            atLineStart = byte == 10
        }
        if !stuffed.isEmpty && !atLineStart { stuffed += [13, 10] }
        stuffed += Array(".\r\n".utf8)
        return try await connection.exchange(stuffed, replies: 1, step: step, timeout: connection.timeouts.dataEnd)[0]
    }

    /// Whether the session can take another transaction.
    var isUsable: Bool { connection.isActive }
}

func base64(_ bytes: [UInt8]) -> String {
    var lines = Base64Lines.encode(bytes)
    lines.removeAll { $0 == 13 || $0 == 10 }
    return String(decoding: lines, as: UTF8.self)
}
