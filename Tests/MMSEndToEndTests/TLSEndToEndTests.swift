import Foundation
import MMSClient
import Testing

extension EndToEnd {
    /// Issue 13, TLS and mutual TLS on the real `mms-server`, driven by the real `mms`, with
    /// certificates made by openssl (Tests/Support/make_test_pki.sh).
    @Suite("TLS and mutual TLS, end to end")
    struct TLSEndToEnd {
        /// `--tls-…` arguments of `mms` trusting `ca`, presenting `identity` when given.
        func tlsArguments(_ pki: TestPKI, ca: String = "ca", identity: String? = "client") -> [String] {
            var arguments = ["--tls-ca", pki.certificate(ca)]
            if let identity { arguments += ["--tls-certificate", pki.certificate(identity), "--tls-key", pki.key(identity)] }
            return arguments
        }

        /// A server with mutual TLS on the certificate files `live.pem`/`live.key` (issued by `ca`).
        func startMutualTLS(_ pki: TestPKI) async throws -> ServerProcess {
            try pki.install("server", as: "live")
            var settings = ServerProcess.Settings()
            settings.extra = ["--tls-certificate", pki.certificate("live"), "--tls-key", pki.key("live"), "--tls-client-ca", pki.certificate("ca")]
            settings.probeTLS = ClientTLSConfiguration(
                trustRootsFile: pki.certificate("ca"), certificateChainFile: pki.certificate("client"), privateKeyFile: pki.key("client"))
            settings.logLevel = "info"
            return try await ServerProcess.start(settings)
        }

        @Test("Issue 13: over mutual TLS the CLI works, the token is still required, and a client without a certificate or without TLS is told why")
        func mutualTLSWithTheCLI() async throws {
            let pki = try TestPKI.make()
            defer { pki.remove() }
            let server = try await startMutualTLS(pki)
            defer { Task { await server.tearDown() } }

            let health = try await server.mms(tlsArguments(pki) + ["health"], token: nil)
            #expect(health.exitCode == 0 && health.output.contains("Serving"), "\(health)")
            // Global options may come before the subcommand, --tls-… as the others.
            let whoami = try await server.mms(tlsArguments(pki) + ["whoami", "--output", "json"], token: server.operatorToken)
            #expect(whoami.exitCode == 0, "\(whoami)")
            #expect(try whoami.json()["token"]["role"].string == "operator", "\(whoami)")

            // TLS is no substitute for a token (docs/PROTOCOL.md §9).
            let anonymous = try await server.mms(["whoami"] + tlsArguments(pki), token: nil)
            #expect(anonymous.exitCode == 1 && anonymous.standardError.hasPrefix("mms: UNAUTHENTICATED: "), "\(anonymous)")
            let madeUp = try await server.mms(["whoami"] + tlsArguments(pki), token: "mms_made_up_token")
            #expect(madeUp.exitCode == 1 && madeUp.standardError.hasPrefix("mms: UNAUTHENTICATED: "), "\(madeUp)")

            let noCertificate = try await server.mms(["health"] + tlsArguments(pki, identity: nil), token: nil)
            #expect(noCertificate.exitCode == 69, "\(noCertificate)")
            #expect(noCertificate.standardError.contains("requires a client certificate"), "\(noCertificate)")

            let plain = try await server.mms(["health"], token: nil)
            #expect(plain.exitCode == 69, "\(plain)")
            #expect(plain.standardError.contains("this port speaks the MMS RPC protocol over TLS"), "\(plain)")

            let untrusted = try await server.mms(["health"] + tlsArguments(pki, ca: "other-ca"), token: nil)
            #expect(untrusted.exitCode == 69 && untrusted.standardError.contains("not trusted"), "\(untrusted)")

            // --tls alone trusts the system's CAs, which do not know the test CA; before or after the subcommand.
            for arguments in [["--tls", "health"], ["health", "--tls"]] {
                let systemCAs = try await server.mms(arguments, token: nil)
                #expect(systemCAs.exitCode == 69 && systemCAs.standardError.contains("the system's CAs"), "\(systemCAs)")
            }

            let missingFile = try await server.mms(["health", "--tls-ca", pki.certificate("nothing-here")], token: nil)
            #expect(missingFile.exitCode == 66 && missingFile.standardError.contains("--tls-ca"), "\(missingFile)")
            let keyWithoutCertificate = try await server.mms(["health", "--tls-key", pki.key("client")], token: nil)
            #expect(keyWithoutCertificate.exitCode == 64 && keyWithoutCertificate.standardError.contains("needs --tls-certificate"), "\(keyWithoutCertificate)")
        }

        @Test("Issue 13: the CLI reads MMS_TLS, MMS_TLS_CA, MMS_TLS_CERTIFICATE and MMS_TLS_KEY")
        func environmentVariables() async throws {
            let pki = try TestPKI.make()
            defer { pki.remove() }
            let server = try await startMutualTLS(pki)
            defer { Task { await server.tearDown() } }
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MMS_") }
            environment["MMS_ENDPOINT"] = server.endpoint
            environment["MMS_TLS"] = "1"
            environment["MMS_TLS_CA"] = pki.certificate("ca")
            environment["MMS_TLS_CERTIFICATE"] = pki.certificate("client")
            environment["MMS_TLS_KEY"] = pki.key("client")
            let child = try ChildProcess(
                executable: server.mmsExecutable, arguments: ["health"], environment: environment, outputDirectory: server.scratch)
            let result = try await server.finish(child)
            #expect(result.exitCode == 0 && result.output.contains("Serving"), "\(result)")
        }

        @Test("Issue 13: SIGHUP reloads the certificate for new connections without dropping open ones; a bad reload keeps the old")
        func reloadOnSIGHUP() async throws {
            let pki = try TestPKI.make()
            defer { pki.remove() }
            let server = try await startMutualTLS(pki)
            defer { Task { await server.tearDown() } }
            // This client trusts only the first CA: had its connection been dropped, it could not reconnect.
            let open = try MMSClient(endpoint: server.endpoint, token: server.operatorToken, timeout: .seconds(10), tls: ClientTLSConfiguration(
                trustRootsFile: pki.certificate("ca"), certificateChainFile: pki.certificate("client"), privateKeyFile: pki.key("client")))
            _ = try await open.call(AdminServiceMethods.whoAmI, WhoAmIRequest())

            try pki.install("server-other", as: "live")
            server.signal(SIGHUP)
            try await waitForLog(server, "SIGHUP: TLS reloaded")
            #expect(server.isRunning)
            #expect(server.log().contains("CN=mms-test-server-other"))

            _ = try await open.call(AdminServiceMethods.whoAmI, WhoAmIRequest())
            let newWithNewCA = try await server.mms(["health"] + tlsArguments(pki, ca: "other-ca"), token: nil)
            #expect(newWithNewCA.exitCode == 0, "\(newWithNewCA)")
            let newWithOldCA = try await server.mms(["health"] + tlsArguments(pki), token: nil)
            #expect(newWithOldCA.exitCode == 69 && newWithOldCA.standardError.contains("not trusted"), "\(newWithOldCA)")

            // A key others can read is refused on reload too; the server keeps serving the last good certificate.
            #expect(chmod(pki.key("live"), 0o644) == 0)
            server.signal(SIGHUP)
            try await waitForLog(server, "SIGHUP: TLS not reloaded")
            #expect(server.log().contains("chmod 600"))
            let afterBadReload = try await server.mms(["health"] + tlsArguments(pki, ca: "other-ca"), token: nil)
            #expect(afterBadReload.exitCode == 0, "\(afterBadReload)")
            _ = try await open.call(AdminServiceMethods.whoAmI, WhoAmIRequest())
            await open.close()
        }

        @Test("Issue 13: a TLS key other users can read is refused at start, in one line naming the fix, and nothing is created")
        func readableKeyRefused() async throws {
            let pki = try TestPKI.make()
            defer { pki.remove() }
            #expect(chmod(pki.key("server"), 0o644) == 0)
            let data = pki.directory.appendingPathComponent("data")
            let child = try ChildProcess(
                executable: try Binaries.directory().appendingPathComponent("mms-server"),
                arguments: ["--listen", "127.0.0.1:\(try Ports.free())", "--data-dir", data.path,
                            "--tls-certificate", pki.certificate("server"), "--tls-key", pki.key("server")],
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MMS_") }, outputDirectory: pki.directory)
            let status = await child.waitForExit(timeout: .seconds(30))
            #expect(status != nil && status != 0, "mms-server must refuse to start")
            let error = child.errorText().trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(error.contains(pki.key("server")) && error.contains("chmod 600"), "\(error)")
            #expect(error.split(separator: "\n").count == 1, "one line: \(error)")
            #expect(!FileManager.default.fileExists(atPath: data.path), "nothing was created")
        }

        func waitForLog(_ server: ServerProcess, _ text: String) async throws {
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                if server.log().contains(text) { return }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw Failure("the server did not log \"\(text)\":\n\(server.log())")
        }
    }
}
