import ArgumentParser
import Foundation
import MMSClient

/// How `mms` prints results.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Tables and `Name : Value` lists, like the cmdlets' output, for people.
    case table
    /// Stable JSON for scripts.
    case json
}

/// The options every `mms` command takes: where the server is, who is calling, how to print.
///
/// They may also be given before the subcommand (`mms --endpoint HOST:PORT migration status`);
/// ``CommandLineArguments`` moves them to the command, where one given after the subcommand wins.
struct GlobalOptions: ParsableArguments {
    /// The long names of these options, without `--`: the ones accepted before the subcommand.
    /// Keep in step with the options below.
    static let names: Set<String> = ["endpoint", "token", "token-file", "output", "timeout", "tls-ca", "tls-certificate", "tls-key"]
    /// The global flags (options without a value) accepted before the subcommand, with the
    /// name ArgumentParser knows them by: `--tls` is `--use-tls`, because `mms tenant mail set`
    /// has a `--tls MODE` of its own (the relay's) and one command cannot have two `--tls`.
    static let flagNames: [String: String] = ["tls": "use-tls"]

    @Option(help: ArgumentHelp(
        "The server's address, HOST:PORT.",
        discussion: """
            Defaults to the environment variable MMS_ENDPOINT, else 127.0.0.1:7450. This option and \
            --token, --token-file, --output and --timeout may also come before the subcommand \
            (mms --endpoint HOST:PORT migration status); given both before and after it, the one after wins.
            """,
        valueName: "host:port"))
    var endpoint: String?

    @Option(help: ArgumentHelp(
        "The bearer token to call with (an operator, tenant admin or tenant reader token).",
        discussion: "Defaults to the environment variable MMS_TOKEN. Prefer the variable: a flag is visible to other users in the process list.",
        valueName: "token"))
    var token: String?

    @Option(help: ArgumentHelp(
        "Read the bearer token from this file, e.g. <data-dir>/operator-token.",
        discussion: "Defaults to the environment variable MMS_TOKEN_FILE. --token and MMS_TOKEN win over it.",
        valueName: "path"))
    var tokenFile: String?

    @Option(help: ArgumentHelp(
        "table (for people) or json (for scripts: snake_case keys as in the .proto files, enums in lower case, times in ISO 8601 UTC).",
        valueName: "format"))
    var output: OutputFormat = .table

    @Option(help: ArgumentHelp("How many seconds each call may take before it fails with DEADLINE_EXCEEDED.", valueName: "seconds"))
    var timeout: Int = 30

    /// `--tls`, renamed by ``CommandLineArguments`` (see ``flagNames``); hidden, as the help names `--tls`.
    @Flag(name: .customLong("use-tls"), help: .hidden)
    var tls = false

    @Option(help: ArgumentHelp(
        "A PEM file of the CA certificates the server's certificate must chain to, instead of the system's (implies --tls).",
        discussion: """
            Defaults to the environment variable MMS_TLS_CA. --tls (or MMS_TLS=1) connects with TLS and \
            the system's CAs; it may come before the subcommand, or after it on every command but \
            tenant mail set, whose --tls is the relay's TLS mode.
            """,
        valueName: "file"))
    var tlsCa: String?

    @Option(help: ArgumentHelp(
        "A PEM file with this client's certificate, for a server that requires client certificates (mutual TLS; implies --tls).",
        discussion: "Defaults to the environment variable MMS_TLS_CERTIFICATE. Give its key with --tls-key.",
        valueName: "file"))
    var tlsCertificate: String?

    @Option(help: ArgumentHelp(
        "The PEM private key of --tls-certificate.",
        discussion: "Defaults to the environment variable MMS_TLS_KEY.",
        valueName: "file"))
    var tlsKey: String?

    /// The TLS settings to connect with, nil for plain TCP: the flags, else the MMS_TLS… variables.
    var resolvedTLS: ClientTLSConfiguration? {
        let environment = ProcessInfo.processInfo.environment
        func value(_ flag: String?, _ variable: String) -> String? {
            flag ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        let ca = value(tlsCa, "MMS_TLS_CA")
        let certificate = value(tlsCertificate, "MMS_TLS_CERTIFICATE")
        let key = value(tlsKey, "MMS_TLS_KEY")
        let on = tls || ["1", "true", "yes"].contains(environment["MMS_TLS"]?.lowercased() ?? "") || ca != nil || certificate != nil || key != nil
        guard on else { return nil }
        return ClientTLSConfiguration(trustRootsFile: ca, certificateChainFile: certificate, privateKeyFile: key)
    }

    /// The endpoint to call: the flag, else MMS_ENDPOINT, else the default.
    var resolvedEndpoint: String {
        endpoint ?? ProcessInfo.processInfo.environment["MMS_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1:7450"
    }

    func validate() throws {
        do {
            _ = try Endpoint.parse(resolvedEndpoint)
        } catch {
            throw ValidationError("--endpoint (or MMS_ENDPOINT): \(error.message)")
        }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1 second, not \(timeout)") }
        if let tls = resolvedTLS {
            if tls.privateKeyFile != nil, tls.certificateChainFile == nil {
                throw ValidationError("--tls-key (or MMS_TLS_KEY) needs --tls-certificate (or MMS_TLS_CERTIFICATE)")
            }
            if tls.certificateChainFile != nil, tls.privateKeyFile == nil {
                throw ValidationError("--tls-certificate (or MMS_TLS_CERTIFICATE) needs --tls-key (or MMS_TLS_KEY)")
            }
        }
    }

    /// Checks every TLS file named, before any connection.
    /// - Throws: `CommandFailure` naming the file: exit 66 when it cannot be read, 65 when it
    ///   holds no usable certificate or key.
    func checkTLSFiles() throws {
        guard let tls = resolvedTLS else { return }
        for (option, path) in [("--tls-ca", tls.trustRootsFile), ("--tls-certificate", tls.certificateChainFile), ("--tls-key", tls.privateKeyFile)] {
            guard let path else { continue }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw CommandFailure("cannot read the \(option) file \(path)", exitCode: ExitStatus.noInput)
            }
        }
        do {
            try tls.validate()
        } catch {
            throw CommandFailure(error.message, exitCode: ExitStatus.badData)
        }
    }

    /// The token to call with, if any: --token, MMS_TOKEN, --token-file, MMS_TOKEN_FILE, in that order.
    /// - Throws: `CommandFailure` when a token file cannot be read.
    func resolvedToken() throws -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let token = token ?? environment["MMS_TOKEN"], !token.isEmpty {
            return token.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let path = tokenFile ?? environment["MMS_TOKEN_FILE"], !path.isEmpty else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw CommandFailure("cannot read the token file \(path): \(error.localizedDescription)", exitCode: ExitStatus.noInput)
        }
    }
}
