import ArgumentParser
import MMSClient

/// `mms bridge ...`: audio-conferencing bridges and their phone numbers.
struct BridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "Audio-conferencing bridges: save, list, and unassign a number (T2).",
        subcommands: [Save.self, List.self, UnassignNumber.self]
    )

    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or replace a bridge and its dial-in numbers (the first number is the default).",
            discussion: """
                Example:
                  mms bridge save --bridge-id bridge-us --name "US bridge" \\
                    --number '+13238867531=United States, Los Angeles (Toll)' \\
                    --number '+18005550100=United States (Toll-free)'
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The bridge's id.", valueName: "bridge-id"))
        var bridgeId: String

        @Option(help: ArgumentHelp("A name for people.", valueName: "name"))
        var name: String = ""

        @Option(help: ArgumentHelp(
            "A dial-in number in E.164 and its label, NUMBER=LABEL, e.g. '+13238867531=United States, Los Angeles (Toll)'; repeat for each number.",
            valueName: "number=label"))
        var number: [DialInNumberArgument] = []

        func run() async throws {
            try await Session.run(global) { session in
                let bridge = Bridge(bridgeId: bridgeId, name: name, numbers: number.map(\.number))
                let saved = try await session.call(DirectoryServiceMethods.saveBridge, SaveBridgeRequest(bridge: bridge))
                session.print(saved) { TextViews.bridge(saved) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenant's bridges.", discussion: "Example: mms bridge list")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await Session.run(global) { session in
                let response = try await session.allPages(\.bridges, next: \.nextPageToken) {
                    try await session.call(DirectoryServiceMethods.listBridges, ListBridgesRequest(pageToken: $0))
                }
                session.print(response) {
                    response.bridges.isEmpty ? "No bridges." : response.bridges.map(TextViews.bridge).joined(separator: "\n\n")
                }
            }
        }
    }

    struct UnassignNumber: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unassign-number",
            abstract: "Unassign a phone number from a bridge (T2): every user of the bridge whose invitations carry it is migrated.",
            discussion: "Example: mms bridge unassign-number --bridge-id bridge-us --number +13238867531"
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The bridge's id.", valueName: "bridge-id"))
        var bridgeId: String

        @Option(help: ArgumentHelp("The number to unassign, in E.164.", valueName: "number"))
        var number: String

        func run() async throws {
            try await Session.run(global) { session in
                let response = try await session.call(
                    DirectoryServiceMethods.unassignBridgeNumber, UnassignBridgeNumberRequest(bridgeId: bridgeId, number: number))
                session.print(response) {
                    var text = "Unassigned \(number) from \(bridgeId).\n\n"
                    if let bridge = response.bridge { text += TextViews.bridge(bridge) + "\n\n" }
                    guard !response.outcomes.isEmpty else { return text + "No user's invitations carried this number: no migration queued." }
                    text += TextLayout.table(
                        ["UserPrincipalName", "Queued", "CorrelationId", "Reason"],
                        response.outcomes.map {
                            [$0.user?.userPrincipalName ?? "", TextLayout.flag($0.queued), $0.status?.correlationId ?? "", $0.reason]
                        })
                    return text
                }
            }
        }
    }
}
