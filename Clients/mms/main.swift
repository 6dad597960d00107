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
/// ArgumentParser unchanged. The arguments are first prepared by ``CommandLineArguments``
/// (global options before the subcommand, a word that is not a command, many attendees).
///
/// This is a function rather than top-level code because in top-level code
/// `await MMSCommand.main()` resolves to ParsableCommand's synchronous `main()`, which refuses
/// to run an AsyncParsableCommand ("Asynchronous root command needs availability annotation").
func runMMS() async {
    let commandLine = CommandLineArguments(Array(CommandLine.arguments.dropFirst()))
    if let usageError = commandLine.usageError {
        Terminal.error("mms: \(usageError)")
        exit(ExitStatus.usage.rawValue)
    }
    do {
        var command = try await MMSCommand.asyncParseAsRoot(commandLine.arguments)
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    } catch let code as ExitCode {
        // Session has already printed what went wrong (and 64 from it is not a parse error).
        exit(code.rawValue)
    } catch {
        let code = MMSCommand.exitCode(for: error)
        guard code == .validationFailure else { MMSCommand.exit(withError: error) }
        let message = MMSCommand.message(for: error).split(separator: "\n").joined(separator: "; ")
        Terminal.error("mms: \(message) (see: \(commandLine.path.joined(separator: " ")) --help)")
        exit(code.rawValue)
    }
}

await runMMS()
