import ArgumentParser
import Foundation
import MMSClient

/// `--type`: where a tenant's meetings live.
enum MailboxTypeChoice: String, LenientChoice {
    case caldav, builtIn = "built-in"

    var type: MailboxType { self == .caldav ? .caldav : .builtIn }
}

/// `mms tenant mailbox ...`: where the tenant's meetings live (R1; issue 17).
struct MailboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailbox",
        abstract: "Where the tenant's meetings live: the built-in calendar or a CalDAV server (R1).",
        subcommands: [Set.self, Get.self, Test.self]
    )

    static func text(_ settings: MailboxSettings) -> String {
        guard settings.type == .caldav else { return TextLayout.list(["Type": "built-in"]) }
        return TextLayout.list([
            "Type": "caldav",
            "Url": settings.url,
            "Username": settings.username,
            "PasswordSet": TextLayout.flag(settings.passwordSet),
            "PathTemplate": settings.pathTemplate.isEmpty ? "(discovery)" : settings.pathTemplate,
            "CaFile": settings.caFile.isEmpty ? "(system trust store)" : settings.caFile,
            "AllowInsecureHttp": TextLayout.flag(settings.allowInsecureHttp),
        ])
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point the tenant at a CalDAV server, or back at the built-in calendar.",
            discussion: """
                Examples:
                  mms tenant mailbox set --type caldav --url https://cal.contoso.com/ --username mms-service --password-file pw.txt
                  mms tenant mailbox set --type caldav --url http://127.0.0.1:5232/ --username mms --password-file pw.txt --path-template '/{user}/'
                  mms tenant mailbox set --type built-in

                The password is read from a file (its first line), stored readable by the server's user only, \
                and never shown again: `get` says whether one is set. Without --password-file a CalDAV \
                change keeps the stored password. Run `mms tenant mailbox test --identity U` next.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("caldav or built-in.", valueName: "type"))
        var type: MailboxTypeChoice

        @Option(help: ArgumentHelp("The CalDAV server's URL (https://, or http:// to loopback).", valueName: "url"))
        var url: String?

        @Option(help: ArgumentHelp("The CalDAV service account.", valueName: "name"))
        var username: String?

        @Option(help: ArgumentHelp("A file whose first line is the service account's password.", valueName: "file"))
        var passwordFile: String?

        @Option(help: ArgumentHelp("Where a user's calendars are, for servers without discovery, e.g. '/{user}/'.", valueName: "template"))
        var pathTemplate: String = ""

        @Option(help: ArgumentHelp("A PEM file of certificate authorities (on the server's machine) to trust instead of the system's.", valueName: "file"))
        var caFile: String = ""

        @Flag(help: "Allow plain http:// to a host that is not loopback.")
        var allowInsecureHttp = false

        func validate() throws {
            if type == .caldav {
                guard url != nil else { throw ValidationError("--url is required with --type caldav") }
                guard username != nil else { throw ValidationError("--username is required with --type caldav") }
            } else if url != nil || username != nil || passwordFile != nil || !pathTemplate.isEmpty || !caFile.isEmpty || allowInsecureHttp {
                throw ValidationError("--type built-in takes no other option")
            }
        }

        func run() async throws {
            let password = try passwordFile.map { path -> String in
                let text = try MeetingCommand.Add.readText(path, option: "--password-file")
                return String(text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).first ?? "")
            } ?? ""
            if passwordFile != nil, password.isEmpty {
                throw CommandFailure("--password-file \(CommandLineArguments.printable(passwordFile ?? "")) holds no password on its first line", exitCode: ExitStatus.badData)
            }
            try await Session.run(global) { session in
                let settings = MailboxSettings(
                    type: type.type, url: url ?? "", username: username ?? "", pathTemplate: pathTemplate, caFile: caFile,
                    allowInsecureHttp: allowInsecureHttp)
                let saved = try await session.call(
                    TenantConfigurationServiceMethods.setMailboxSettings, SetMailboxSettingsRequest(settings: settings, password: password))
                session.print(saved) { MailboxCommand.text(saved) }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where the tenant's meetings live (never the password: only whether one is set).",
            discussion: "Example: mms tenant mailbox get")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await Session.run(global) { session in
                let settings = try await session.call(TenantConfigurationServiceMethods.getMailboxSettings, GetMailboxSettingsRequest())
                session.print(settings) { MailboxCommand.text(settings) }
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find a user's calendars and count the future meetings they organise, changing nothing.",
            discussion: "Example: mms tenant mailbox test --identity ashaw@contoso.com")

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The user's principal name.", valueName: "upn"))
        var identity: String

        func run() async throws {
            try await Session.run(global) { session in
                let report = try await session.call(
                    TenantConfigurationServiceMethods.testMailboxSettings, TestMailboxSettingsRequest(identity: identity))
                session.print(report) {
                    var text = TextLayout.list([
                        "Calendars": report.calendars.joined(separator: ", "),
                        "FutureMeetings": String(report.futureMeetings),
                        "Unreadable": String(report.unreadable.count),
                    ])
                    for problem in report.unreadable { text += "\n  \(problem)" }
                    return text
                }
            }
        }
    }
}

extension MailboxSettings: JSONPrintable {
    var json: JSONValue {
        .object([
            "type": .string(type == .caldav ? "caldav" : type == .builtIn ? "built_in" : "unspecified"), "url": .string(url),
            "username": .string(username), "path_template": .string(pathTemplate), "ca_file": .string(caFile),
            "allow_insecure_http": .bool(allowInsecureHttp), "password_set": .bool(passwordSet),
        ])
    }
}

extension TestMailboxSettingsResponse: JSONPrintable {
    var json: JSONValue {
        .object([
            "calendars": .array(calendars.map(JSONValue.string)), "future_meetings": .integer(futureMeetings),
            "unreadable": .array(unreadable.map(JSONValue.string)),
        ])
    }
}
