import ArgumentParser
import MMSClient

/// `mms health`: whether the server is serving.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Ask the server whether it is serving (no token needed).",
        discussion: "Example: mms health --endpoint 127.0.0.1:7450"
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await Session.run(global) { session in
            let response = try await session.call(HealthMethods.check, HealthCheckRequest())
            session.print(response) { TextLayout.list(["Status": response.status.displayName]) }
        }
    }
}

/// `mms whoami`: the token the calls are made with.
struct WhoAmICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show the token you are calling with: its id, tenant and role.",
        discussion: "Example: MMS_TOKEN=$(cat mms-data/operator-token) mms whoami"
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await Session.run(global) { session in
            let response = try await session.call(AdminServiceMethods.whoAmI, WhoAmIRequest())
            session.print(response) { response.token.map(TextViews.token) ?? "No token." }
        }
    }
}

/// `mms token ...`: access tokens.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke access tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print its secret, once (the server keeps only a hash).",
            discussion: """
                An operator creates tokens for any tenant (and other operator tokens); a tenant admin \
                for its own tenant. Example:
                  mms token create --tenant-id contoso --role admin --description "Contoso helpdesk"
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The tenant the token acts on (leave out for --role operator).", valueName: "tenant-id"))
        var tenantId: String = ""

        @Option(help: ArgumentHelp("admin (everything in the tenant), reader (reads only) or operator (creates tenants and tokens).", valueName: "role"))
        var role: RoleChoice

        @Option(help: ArgumentHelp("A note saying who or what uses the token.", valueName: "text"))
        var description: String = ""

        @Flag(help: "Print only the secret, for scripts: export MMS_TOKEN=$(mms token create ... --secret-only).")
        var secretOnly = false

        func validate() throws {
            if role == .operator, !tenantId.isEmpty {
                throw ValidationError("--tenant-id is not used with --role operator: operator tokens belong to no tenant")
            }
            if role != .operator, tenantId.isEmpty {
                throw ValidationError("--tenant-id is required with --role \(role.rawValue)")
            }
        }

        func run() async throws {
            try await Session.run(global) { session in
                let request = CreateTokenRequest(tenantId: tenantId, role: role.role, description: description)
                let response = try await session.call(AdminServiceMethods.createToken, request)
                if secretOnly {
                    Terminal.line(response.token)
                    return
                }
                session.print(response) {
                    "Token (shown this once; store it now, the server keeps only its hash):\n\(response.token)\n\n"
                        + (response.info.map(TextViews.token) ?? "")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List tokens (never their secrets).",
            discussion: "Operators see every token, or one tenant's with --tenant-id; tenant admins see their tenant's. Example: mms token list --tenant-id contoso"
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Only this tenant's tokens (operators).", valueName: "tenant-id"))
        var tenantId: String = ""

        func run() async throws {
            try await Session.run(global) { session in
                let response = try await session.allPages(\.tokens, next: \.nextPageToken) {
                    try await session.call(AdminServiceMethods.listTokens, ListTokensRequest(tenantId: tenantId, pageToken: $0))
                }
                session.print(response) { TextViews.tokens(response.tokens) }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token: calls made with it fail with UNAUTHENTICATED from now on.",
            discussion: "Example: mms token revoke --token-id 3f9a1c2b7d4e"
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The token's id, as mms token list shows it.", valueName: "id"))
        var tokenId: String

        func run() async throws {
            try await Session.run(global) { session in
                let response = try await session.call(AdminServiceMethods.revokeToken, RevokeTokenRequest(tokenId: tokenId))
                session.print(response) { "Revoked.\n\n" + TextViews.token(response) }
            }
        }
    }
}
