import ArgumentParser
import Foundation
import MMSClient

/// `mms-load`: drives a mix of calls against a running server and reports throughput, errors
/// by status and latency percentiles.
@main
struct MMSLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mms-load",
        abstract: "Load generator for the Meeting Migration Service.",
        discussion: """
            Closed loop (--connections C --in-flight N): each connection keeps N calls outstanding.
            Open loop (--rate R): R calls per second are started on a fixed schedule whatever the \
            replies do, and latency counts from each call's scheduled time, so a stall shows \
            (no coordinated omission).
            Calls other than health need a tenant: the setup step uses the operator token to create \
            one with --users users (and one queued migration each), then measures.
            Examples:
              mms-load --mix health --connections 4 --in-flight 32 --duration 5s
              mms-load --operator-token-file data/operator-token --mix status=80,start=10,summary=5,config=5 --rate 2000
            """)

    @Option(help: ArgumentHelp("HOST:PORT of the server (env MMS_ENDPOINT).", valueName: "host:port"))
    var endpoint: String = ProcessInfo.processInfo.environment["MMS_ENDPOINT"] ?? "127.0.0.1:7450"

    @Flag(help: "Allow an endpoint that is not loopback (load goes to 127.0.0.1/::1/localhost only by default).")
    var allowRemote = false

    @Option(help: ArgumentHelp("The operator token, for the setup step (env MMS_OPERATOR_TOKEN).", valueName: "token"))
    var operatorToken: String?

    @Option(help: ArgumentHelp("A file holding the operator token, e.g. <data-dir>/operator-token.", valueName: "path"))
    var operatorTokenFile: String?

    @Option(help: ArgumentHelp(
        "Calls and weights: health, status (by identity), start, summary, config, dialin; e.g. status=80,start=10,summary=10.",
        valueName: "mix"))
    var mix: String = "status"

    @Option(help: "Connections.")
    var connections: Int = 1

    @Option(help: "Closed loop: calls in flight per connection.")
    var inFlight: Int = 16

    @Option(help: ArgumentHelp("Open loop: calls per second in all (replaces --in-flight).", valueName: "calls/s"))
    var rate: Double?

    @Option(help: "Open loop: calls outstanding at most, in all; the schedule waits beyond it (latency still counts from the schedule).")
    var maxOutstanding: Int = 10_000

    @Option(help: ArgumentHelp("How long to measure, e.g. 10s, 500ms, 2m.", valueName: "duration"))
    var duration: String = "10s"

    @Option(help: ArgumentHelp("Calls made before measuring starts, for that long.", valueName: "duration"))
    var warmup: String = "0s"

    @Option(help: "Stop after this many measured calls.")
    var maxCalls: Int?

    @Option(help: ArgumentHelp("Deadline of each call.", valueName: "duration"))
    var timeout: String = "10s"

    @Option(help: "Setup: users to create in the new tenant.")
    var users: Int = 100

    @Option(help: ArgumentHelp("Setup: the tenant to create (default: load-<random>).", valueName: "tenant-id"))
    var tenantId: String?

    @Flag(inversion: .prefixedNo, help: "Setup: start one migration per user so status reads find a record.")
    var seedMigrations = true

    @Flag(help: "Connect with TLS (env MMS_TLS=1; implied by --tls-ca and --tls-certificate).")
    var tls = false

    @Option(help: ArgumentHelp("PEM CA certificates to trust instead of the system's (env MMS_TLS_CA).", valueName: "file"))
    var tlsCa: String?

    @Option(help: ArgumentHelp("PEM client certificate, for a server with mutual TLS (env MMS_TLS_CERTIFICATE).", valueName: "file"))
    var tlsCertificate: String?

    @Option(help: ArgumentHelp("PEM private key of --tls-certificate (env MMS_TLS_KEY).", valueName: "file"))
    var tlsKey: String?

    /// The TLS settings from the flags, else the MMS_TLS… variables; nil = plain TCP.
    var tlsConfiguration: ClientTLSConfiguration? {
        let environment = ProcessInfo.processInfo.environment
        func value(_ flag: String?, _ name: String) -> String? { flag ?? environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let ca = value(tlsCa, "MMS_TLS_CA"), certificate = value(tlsCertificate, "MMS_TLS_CERTIFICATE"), key = value(tlsKey, "MMS_TLS_KEY")
        guard tls || ["1", "true", "yes"].contains(environment["MMS_TLS"]?.lowercased() ?? "") || ca != nil || certificate != nil else { return nil }
        return ClientTLSConfiguration(trustRootsFile: ca, certificateChainFile: certificate, privateKeyFile: key)
    }

    @Option(help: "text or json (the report goes to standard output; progress to standard error).")
    var output: OutputFormat = .text

    @Flag(help: "No progress line.")
    var quiet = false

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    func validate() throws {
        guard (1...1024).contains(connections) else { throw ValidationError("--connections must be from 1 to 1024") }
        guard (1...4096).contains(inFlight) else { throw ValidationError("--in-flight must be from 1 to 4096") }
        if let rate, !(rate > 0 && rate <= 10_000_000) { throw ValidationError("--rate must be above 0 and at most 10000000") }
        guard maxOutstanding >= 1 else { throw ValidationError("--max-outstanding must be at least 1") }
        if let maxCalls, maxCalls < 1 { throw ValidationError("--max-calls must be at least 1") }
        guard (1...1_000_000).contains(users) else { throw ValidationError("--users must be from 1 to 1000000") }
        let measured = try Self.duration(duration, "--duration")
        guard measured > .zero, measured <= .seconds(86_400) else { throw ValidationError("--duration must be above 0 and at most 24h") }
        _ = try Self.duration(warmup, "--warmup")
        _ = try Self.duration(timeout, "--timeout")
        do { _ = try CallMix(parsing: mix) } catch { throw ValidationError("--mix: \(error)") }
        do { try tlsConfiguration?.validate() } catch { throw ValidationError(error.message) }
        let host = (try? Endpoint.parse(endpoint))?.0
        guard let host else { throw ValidationError("--endpoint must be HOST:PORT") }
        if !allowRemote, !["127.0.0.1", "::1", "localhost"].contains(host), !host.hasPrefix("127.") {
            throw ValidationError("--endpoint \(endpoint) is not loopback; pass --allow-remote to load another machine")
        }
    }

    func run() async throws {
        let mix = try CallMix(parsing: mix)
        let callTimeout = try Self.duration(timeout, "--timeout")
        var token: String?
        var tenant: LoadTenant?
        var setupSeconds = 0.0
        if mix.needsTenant {
            guard let operatorToken = try readOperatorToken() else {
                throw ValidationError("--mix \(mix) needs a tenant: give --operator-token, --operator-token-file or MMS_OPERATOR_TOKEN for the setup step")
            }
            let tenantId = tenantId ?? "load-\(UUID().uuidString.prefix(8).lowercased())"
            if !quiet { Terminal.error("mms-load: setup: tenant \(tenantId), \(users) users\(seedMigrations ? " with a queued migration each" : "")") }
            let started = ContinuousClock.now
            tenant = try await LoadSetup.run(
                endpoint: endpoint, operatorToken: operatorToken, tenantId: tenantId, users: users, seedMigrations: seedMigrations,
                concurrency: 32, timeout: callTimeout, tls: tlsConfiguration)
            setupSeconds = seconds(ContinuousClock.now - started)
            token = tenant?.adminToken
        }
        let plan = LoadPlan(
            endpoint: endpoint, token: token, mix: mix, maker: CallMaker(identities: tenant?.identities ?? []), connections: connections,
            shape: rate.map { .open(rate: $0, maxOutstanding: maxOutstanding) } ?? .closed(inFlight: inFlight),
            duration: try Self.duration(duration, "--duration"), warmup: try Self.duration(warmup, "--warmup"), maxCalls: maxCalls,
            timeout: callTimeout, tls: tlsConfiguration)
        let (tally, elapsed) = try await LoadRunner.run(plan, progress: !quiet)
        let report = LoadReport(plan: plan, tally: tally, elapsed: elapsed, tenant: tenant, setupSeconds: setupSeconds)
        switch output {
        case .json: print(try report.json())
        case .text: print(report.text())
        }
    }

    private func readOperatorToken() throws -> String? {
        if let operatorToken, !operatorToken.isEmpty { return operatorToken }
        if let operatorTokenFile {
            return try String(contentsOfFile: operatorTokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let value = ProcessInfo.processInfo.environment["MMS_OPERATOR_TOKEN"], !value.isEmpty { return value }
        return nil
    }

    /// Parses `10s`, `500ms`, `250us`, `2m`, `1h` or a plain number of seconds.
    static func duration(_ text: String, _ option: String) throws -> Duration {
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value >= 0 { return .nanoseconds(Int64(value * scale * 1e9)) }
        }
        if let value = Double(text), value >= 0 { return .nanoseconds(Int64(value * 1e9)) }
        throw ValidationError("\(option): '\(text)' is not a duration (e.g. 10s, 500ms, 2m)")
    }
}
