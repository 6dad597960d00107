import ArgumentParser
import Foundation
import MMSClient
import Synchronization

/// The exit codes of `mms`, documented in `mms --help`.
enum ExitStatus {
    /// A server answered with an error status (INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, ...).
    static let serverError = ExitCode(1)
    /// The server refused the change and applied nothing (L1, L2, TeamsOnly for a user homed
    /// on-premises, a migration start with S3 off): the normal output, with the reason, is printed.
    static let refused = ExitCode(3)
    /// The command line is wrong (ArgumentParser's validation failures use the same code, EX_USAGE).
    static let usage = ExitCode(64)
    /// A file named on the command line was read but its content is not usable, e.g. not UTF-8 (EX_DATAERR).
    static let badData = ExitCode(65)
    /// A file named on the command line cannot be read (EX_NOINPUT).
    static let noInput = ExitCode(66)
    /// The server cannot be reached: connection refused, or UNAVAILABLE before any answer (EX_UNAVAILABLE).
    static let unavailable = ExitCode(69)
}

/// A failure of `mms` itself (not of a call), printed as one line with its exit code.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    let exitCode: ExitCode

    init(_ message: String, exitCode: ExitCode) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}

extension CommandFailure {
    /// A refusal: the server applied nothing, for `reason` (exit 3, after the normal output).
    static func refused(_ reason: String) -> CommandFailure {
        CommandFailure("refused: \(reason.isEmpty ? "the server applied nothing" : reason)", exitCode: ExitStatus.refused)
    }
}

/// Writes to standard output and standard error without buffering, so `--watch` lines
/// appear as they happen even through a pipe.
enum Terminal {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func line(_ text: String) {
        write(text + "\n")
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Whether standard output is a terminal (a live view is redrawn only there).
    static var isInteractive: Bool { isatty(STDOUT_FILENO) == 1 }
}

/// One command's connection to the server: it remembers whether the server has answered,
/// so that UNAVAILABLE before any answer (the server is not there) exits 69 while a
/// connection lost later is an ordinary failure.
final class Session: Sendable {
    let client: MMSClient
    let output: OutputFormat
    private let answered = Atomic<Bool>(false)

    private init(client: MMSClient, output: OutputFormat) {
        self.client = client
        self.output = output
    }

    /// Makes a unary call.
    func call<Request, Response>(_ method: UnaryMethod<Request, Response>, _ request: Request) async throws(RPCError) -> Response {
        let response = try await client.call(method, request)
        answered.store(true, ordering: .relaxed)
        return response
    }

    /// Every page of a List call, merged into one response (PROTOCOL.md §9 "Paging"): `page` makes
    /// the call for a page token, from the first page ("") until `next_page_token` is empty or
    /// `limit` items have come.
    func allPages<Response, Item>(
        _ items: WritableKeyPath<Response, [Item]>, next: WritableKeyPath<Response, String>, limit: Int? = nil,
        _ page: (String) async throws -> Response
    ) async throws -> Response {
        var merged = try await page("")
        while !merged[keyPath: next].isEmpty, limit.map({ merged[keyPath: items].count < $0 }) ?? true {
            let more = try await page(merged[keyPath: next])
            merged[keyPath: items] += more[keyPath: items]
            merged[keyPath: next] = more[keyPath: next]
        }
        if let limit, merged[keyPath: items].count > limit { merged[keyPath: items] = Array(merged[keyPath: items].prefix(limit)) }
        merged[keyPath: next] = ""
        return merged
    }

    /// Starts a server-streaming call; call ``markAnswered()`` for each response read.
    func stream<Request, Response>(_ method: ServerStreamingMethod<Request, Response>, _ request: Request) async throws(RPCError) -> ResponseStream<Response> {
        try await client.stream(method, request)
    }

    /// Records that the server has answered.
    func markAnswered() {
        answered.store(true, ordering: .relaxed)
    }

    /// Prints `value` as JSON, or its table view.
    func print(_ value: some JSONPrintable, table: () -> String) {
        switch output {
        case .json: Terminal.line(value.json.rendered(pretty: true))
        case .table: Terminal.line(table())
        }
    }

    /// Runs `body` with a session on the server named by `options`, and turns every failure into
    /// one line on standard error (`mms: CODE: message`) and the matching exit code.
    static func run(_ options: GlobalOptions, _ body: (Session) async throws -> Void) async throws {
        let session: Session
        do {
            try options.checkTLSFiles()
            let client = try MMSClient(
                endpoint: options.resolvedEndpoint, token: try options.resolvedToken(), timeout: .seconds(options.timeout), tls: options.resolvedTLS)
            session = Session(client: client, output: options.output)
        } catch {
            throw report(error, answered: false)
        }
        do {
            try await body(session)
        } catch {
            await session.client.close()
            throw report(error, answered: session.answered.load(ordering: .relaxed))
        }
        await session.client.close()
    }

    /// Prints `error` and returns the exit code to end with.
    private static func report(_ error: any Error, answered: Bool) -> ExitCode {
        switch error {
        case let error as RPCError:
            Terminal.error("mms: \(error.code.name): \(error.message)")
            return error.code == .unavailable && !answered ? ExitStatus.unavailable : ExitStatus.serverError
        case let failure as CommandFailure:
            Terminal.error("mms: \(failure.message)")
            return failure.exitCode
        case let exit as ExitCode:
            return exit
        default:
            Terminal.error("mms: \(error)")
            return ExitStatus.serverError
        }
    }
}
