import ArgumentParser

/// `mms`: the command line of the Meeting Migration Service, one subcommand per call of its API.
struct MMSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mms",
        abstract: "Administer the Meeting Migration Service: tenants, tokens, users, meetings and their migrations.",
        discussion: """
            Each subcommand makes one call of the server's API and is named after the cmdlet it \
            replaces (mms migration start is Start-CsExMeetingMigration, mms migration status is \
            Get-CsMeetingMigrationStatus, mms user move is Move-CsUser, ...). Run any of them with \
            --help for its options and an example.

            Connection: every subcommand takes --endpoint HOST:PORT (env MMS_ENDPOINT, default \
            127.0.0.1:7450) and a bearer token: --token (env MMS_TOKEN) or --token-file (env \
            MMS_TOKEN_FILE). TLS: --tls (env MMS_TLS=1; after the subcommand on every command but \
            tenant mail set, whose --tls is the relay's mode), --tls-ca FILE (env MMS_TLS_CA) to trust a \
            private CA, and --tls-certificate FILE --tls-key FILE (env MMS_TLS_CERTIFICATE, \
            MMS_TLS_KEY) for a server that requires client certificates. These, --output and \
            --timeout may also come before the subcommand \
            (mms --endpoint HOST:PORT migration status), as --opt VALUE or --opt=VALUE; given both \
            before and after the subcommand, the one after wins. The first start of mms-server writes the operator token to \
            <data-dir>/operator-token; an operator creates tenants and their tokens, a tenant admin \
            does everything within its tenant, a tenant reader only reads.

            Output: --output table (default, for people) or --output json (for scripts: the \
            response message with snake_case keys as in the .proto files, enums as lower-case \
            names such as in_progress, times as ISO 8601 UTC strings under the field name without \
            its _micros suffix, null when not set).

            Errors are one line on standard error: mms: CODE: message for a call that failed (CODE \
            is the status name, e.g. INVALID_ARGUMENT, PERMISSION_DENIED, NOT_FOUND, \
            UNAUTHENTICATED), mms: <what is wrong> (see: mms <command> --help) for a usage error.

            Exit codes:
              0   success (also a change applied without a migration:
                  not a trigger, S3 or S4 off, or nothing to change)
              1   the server answered with an error status
              3   refused: the server applied nothing (L1, L2, TeamsOnly
                  for a user homed on-premises, migration start with S3
                  off); the normal output, with the reason, is on standard
                  output and mms: refused: <reason> on standard error
              64  usage error: unknown command, option or value, missing
                  or bad argument
              65  a file named on the command line is not UTF-8 text
                  (--body-file, --attendees-file), or a --tls-... file
                  holds no usable PEM certificate or key
              66  a file named on the command line cannot be read
                  (--body-file, --attendees-file, --attachment, --token-file,
                  --tls-ca, --tls-certificate, --tls-key)
              69  the server cannot be reached (connection refused, a TLS
                  handshake refused, or UNAVAILABLE before any answer)

            Shell completion: mms --generate-completion-script bash|zsh|fish
            prints a completion script (see the README for where to put it).
            """,
        subcommands: [
            HealthCommand.self,
            WhoAmICommand.self,
            TenantCommand.self,
            TokenCommand.self,
            MigrationCommand.self,
            UserCommand.self,
            BridgeCommand.self,
            MeetingCommand.self,
            AuditCommand.self,
        ]
    )
}
