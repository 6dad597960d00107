import ArgumentParser

/// What `mms` does to its arguments before ArgumentParser reads them (issue 9, "The command line").
///
/// - Global options (``GlobalOptions/names``) may come before the subcommand, or between its
///   words, as with kubectl and git: `mms --endpoint HOST:PORT migration status`. They are moved
///   right after the command's name, before the command's own arguments, so that ArgumentParser
///   (where the last occurrence of an option wins) lets one given after the subcommand win over
///   one given before it.
/// - A word that is not a command of the command before it (`mms user delete ...`) is a usage
///   error naming the word and listing the commands that are, rather than ArgumentParser's
///   complaint about the first option that follows it.
/// - The values of `--attendee` on `mms meeting add` are taken out and handed over as one hidden
///   argument: ArgumentParser appends each value of a repeated option to a copy of the array of
///   values so far, which makes thousands of attendees quadratic (8,000 took 110 s).
struct CommandLineArguments: Sendable {
    /// The arguments for ArgumentParser (without the program's name).
    let arguments: [String]
    /// The command the arguments name, as far as they name one: `["mms", "migration", "start"]`.
    let path: [String]
    /// A usage error found while reading the command's words (one line, without the `mms: ` prefix).
    let usageError: String?

    /// Separates the values of ``attendeeValuesOption``: a NUL can never be part of an argument
    /// a shell passes (arguments are C strings), so it cannot be part of an address given on the
    /// command line.
    static let attendeeSeparator: Character = "\u{0}"
    /// The hidden option of `mms meeting add` that carries every `--attendee` value.
    static let attendeeValuesOption = "--attendee-values"

    /// Options ArgumentParser itself handles on any command, which are left where they are.
    private static let parserOptions: Set<String> = ["-h", "--help", "--help-hidden", "--version", "--experimental-dump-help"]

    init(_ arguments: [String]) {
        var path = ["mms"]
        var current: any ParsableCommand.Type = MMSCommand.self
        var globals: [String] = []
        var usageError: String?
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            let subcommands = current.configuration.subcommands
            // The command is reached: the rest is its own arguments.
            if subcommands.isEmpty { break }
            if let (taken, normalized) = Self.globalOption(in: arguments, at: index) {
                globals.append(normalized)
                index += taken
                continue
            }
            if word == "--" { break }
            if word.hasPrefix("-") && word != "-" {
                if !Self.isParserOption(word) {
                    usageError = "'\(path.joined(separator: " "))' needs a command before its options; "
                        + "its commands are: \(Self.names(of: subcommands)) (see: \(path.joined(separator: " ")) --help)"
                }
                break
            }
            if let next = subcommands.first(where: { Self.names(of: $0).contains(word) }) {
                path.append(word)
                current = next
                index += 1
                continue
            }
            // ArgumentParser's own `mms help <command>`.
            if word == "help" && path.count == 1 { break }
            usageError = "'\(Self.printable(word))' is not a command of '\(path.joined(separator: " "))'; "
                + "its commands are: \(Self.names(of: subcommands)) (see: \(path.joined(separator: " ")) --help)"
            break
        }
        var rest = Array(arguments[index...])
        if path == ["mms", "meeting", "add"] {
            rest = Self.collectAttendees(rest)
        }
        rest = Self.renameGlobalFlags(rest, path: path)
        // Global options before a command that is not a leaf (`mms --output json user`) have
        // nothing to apply to: that command only prints its help or a usage error.
        let reachedLeaf = current.configuration.subcommands.isEmpty
        self.arguments = Array(path.dropFirst()) + (reachedLeaf ? globals : []) + rest
        self.path = path
        self.usageError = usageError
    }

    /// The global option at `index`, if there is one with its value: how many arguments it takes
    /// (2 for `--endpoint HOST:PORT`, 1 for `--endpoint=HOST:PORT`) and its `--name=value` form.
    private static func globalOption(in arguments: [String], at index: Int) -> (Int, String)? {
        let word = arguments[index]
        guard word.hasPrefix("--") else { return nil }
        let body = word.dropFirst(2)
        if let name = GlobalOptions.flagNames[String(body)] { return (1, "--\(name)") }
        if let equals = body.firstIndex(of: "=") {
            guard GlobalOptions.names.contains(String(body[..<equals])) else { return nil }
            return (1, word)
        }
        guard GlobalOptions.names.contains(String(body)), index + 1 < arguments.count else { return nil }
        return (2, "\(word)=\(arguments[index + 1])")
    }

    /// The global flags after the subcommand under the names ArgumentParser knows
    /// (``GlobalOptions/flagNames``), except where the command has an option of that name
    /// (`mms tenant mail set --tls MODE`); nothing after `--` is touched.
    private static func renameGlobalFlags(_ arguments: [String], path: [String]) -> [String] {
        let own: Set<String> = path == ["mms", "tenant", "mail", "set"] ? ["tls"] : []
        var renamed: [String] = []
        renamed.reserveCapacity(arguments.count)
        for (index, word) in arguments.enumerated() {
            if word == "--" {
                renamed.append(contentsOf: arguments[index...])
                break
            }
            let body = String(word.dropFirst(2))
            if word.hasPrefix("--"), !own.contains(body), let name = GlobalOptions.flagNames[body] {
                renamed.append("--\(name)")
            } else {
                renamed.append(word)
            }
        }
        return renamed
    }

    /// Takes every `--attendee VALUE` and `--attendee=VALUE` out of a `mms meeting add` command
    /// line and puts their values, in order, into one ``attendeeValuesOption``. An `--attendee`
    /// without a value is left for ArgumentParser to report; so is everything after `--`.
    private static func collectAttendees(_ arguments: [String]) -> [String] {
        var kept: [String] = []
        kept.reserveCapacity(arguments.count)
        var values: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" {
                kept.append(contentsOf: arguments[index...])
                break
            }
            if word.hasPrefix("--attendee=") {
                values.append(String(word.dropFirst("--attendee=".count)))
                index += 1
                continue
            }
            if word == "--attendee", index + 1 < arguments.count,
               !arguments[index + 1].hasPrefix("-") || arguments[index + 1] == "-" {
                values.append(arguments[index + 1])
                index += 2
                continue
            }
            kept.append(word)
            index += 1
        }
        // A value holding a NUL cannot come from a shell; leave such a command line as it was.
        guard !values.isEmpty, !values.contains(where: { $0.contains(attendeeSeparator) }) else { return arguments }
        return kept + ["\(attendeeValuesOption)=\(values.joined(separator: String(attendeeSeparator)))"]
    }

    private static func isParserOption(_ word: String) -> Bool {
        let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
        return parserOptions.contains(name) || name.hasPrefix("--generate-completion-script")
    }

    /// The names a command answers to: its name, then its aliases.
    private static func names(of command: any ParsableCommand.Type) -> [String] {
        [command._commandName] + command.configuration.aliases
    }

    /// The commands of a command, by name, comma-separated.
    private static func names(of commands: [any ParsableCommand.Type]) -> String {
        commands.map { $0._commandName }.joined(separator: ", ")
    }

    /// `word` with control characters escaped, so an error naming it stays one line.
    static func printable(_ word: String) -> String {
        String(word.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined())
    }
}
