#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser

// A reader that goes away (`mms ... | head`) must not kill mms with SIGPIPE mid-write.
signal(SIGPIPE, SIG_IGN)

/// Parses the command line and runs the chosen command.
///
/// A usage error is one line, `mms: <what is wrong> (...--help)`, with exit code 64, like the
/// one-line errors of calls; `--help` and the exit codes of ``Session`` go through
/// ArgumentParser unchanged.
///
/// This is a function rather than top-level code because in top-level code
/// `await MMSCommand.main()` resolves to ParsableCommand's synchronous `main()`, which refuses
/// to run an AsyncParsableCommand ("Asynchronous root command needs availability annotation").
func runMMS() async {
    do {
        var command = try await MMSCommand.asyncParseAsRoot()
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    } catch {
        let code = MMSCommand.exitCode(for: error)
        guard code == .validationFailure else { MMSCommand.exit(withError: error) }
        let message = MMSCommand.message(for: error).split(separator: "\n").joined(separator: "; ")
        Terminal.error("mms: \(message) (see: \(commandPath().joined(separator: " ")) --help)")
        exit(code.rawValue)
    }
}

/// The command the arguments name, as far as they name one: `["mms", "migration", "start"]`.
func commandPath() -> [String] {
    var path = ["mms"]
    var current: any ParsableCommand.Type = MMSCommand.self
    for word in CommandLine.arguments.dropFirst() {
        guard let next = current.configuration.subcommands.first(where: { $0._commandName == word }) else { break }
        path.append(word)
        current = next
    }
    return path
}

await runMMS()
