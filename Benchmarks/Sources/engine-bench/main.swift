// engine-bench: the time to migrate a backlog of meetings end to end, and how it grows with
// the backlog. See EngineBench.swift for the options and Backlog.swift for what is measured.
import ArgumentParser

// Parsed and run by hand: top-level code in main.swift would otherwise pick the synchronous
// ParsableCommand.main().
do {
    var command = try EngineBench.parseAsRoot()
    if let bench = command as? EngineBench {
        try await bench.run()
    } else {
        try command.run()  // --help
    }
} catch {
    EngineBench.exit(withError: error)
}
