import Foundation

/// (A copy of Tests/MMSRPCTests/TestPKI.swift: test targets share no sources.)
/// A throw-away PKI made by `Tests/Support/make_test_pki.sh` with the openssl command, in a
/// temporary folder: two CAs, server and client certificates, expired ones (see the script).
struct TestPKI {
    let directory: URL

    /// Makes the certificates; throws when the openssl command is missing or fails.
    static func make() throws -> TestPKI {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mms-pki-\(UUID().uuidString)")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/make_test_pki.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [script.path, directory.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw PKIError(description: "make_test_pki.sh failed (the TLS tests need the openssl command): \(text)")
        }
        return TestPKI(directory: directory)
    }

    /// NAME.pem: the certificate `name` (e.g. "server", "ca").
    func certificate(_ name: String) -> String { self.directory.appendingPathComponent("\(name).pem").path }
    /// NAME.key: its private key.
    func key(_ name: String) -> String { self.directory.appendingPathComponent("\(name).key").path }

    /// Copies certificate and key `name` over `target`'s files (what an operator does before SIGHUP).
    func install(_ name: String, as target: String) throws {
        for (from, to) in [(certificate(name), certificate(target)), (key(name), key(target))] {
            let data = try Data(contentsOf: URL(fileURLWithPath: from))
            try data.write(to: URL(fileURLWithPath: to))
        }
        chmod(key(target), 0o600)
    }

    func remove() { try? FileManager.default.removeItem(at: self.directory) }

    struct PKIError: Error, CustomStringConvertible { let description: String }
}
