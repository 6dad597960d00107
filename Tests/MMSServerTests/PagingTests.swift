import Foundation
import MMSClient
import Testing

/// Issue 16, PROTOCOL.md §9 "Paging": every List call pages with page_size, page_token and
/// next_page_token; pages never repeat or skip an item, and a token works only for its own query.
@Suite("Paging: every List call")
struct PagingTests {
    /// Every page of one listing, following next_page_token; the tokens seen, to check the last is empty.
    static func pages<Item>(_ page: (String) async throws -> (items: [Item], next: String)) async throws -> [[Item]] {
        var pages: [[Item]] = []
        var token = ""
        repeat {
            let (items, next) = try await page(token)
            pages.append(items)
            token = next
            try #require(pages.count < 1000, "paging does not end")
        } while !token.isEmpty
        return pages
    }

    @Test("Issue 16, paging: ListUsers pages by principal name, the older limit still works, and a foreign or forged token is INVALID_ARGUMENT")
    func users() async throws {
        let server = try await ServerFixture.start()
        defer { server.removeData() }
        let contoso = try server.client(try await server.tenant("contoso").admin)
        let names = (0..<7).map { "user\($0)@contoso.com" }
        for name in names.shuffled() {
            _ = try await contoso.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: name)))
        }
        let pages = try await Self.pages { token in
            let response = try await contoso.call(DirectoryServiceMethods.listUsers, ListUsersRequest(pageSize: 3, pageToken: token))
            return (response.users.map(\.userPrincipalName), response.nextPageToken)
        }
        #expect(pages.map(\.count) == [3, 3, 1], "\(pages)")
        #expect(pages.flatMap { $0 } == names)
        #expect(try await contoso.call(DirectoryServiceMethods.listUsers, ListUsersRequest(limit: 2)).users.count == 2)
        // Exactly a page's worth: the last page says so, rather than an empty page after it.
        let seven = try await contoso.call(DirectoryServiceMethods.listUsers, ListUsersRequest(pageSize: 7))
        #expect(seven.users.count == 7 && seven.nextPageToken.isEmpty)

        let token = try await contoso.call(DirectoryServiceMethods.listUsers, ListUsersRequest(pageSize: 3)).nextPageToken
        let foreign = await expectStatus(.invalidArgument) {
            _ = try await contoso.call(DirectoryServiceMethods.listBridges, ListBridgesRequest(pageToken: token))
        }
        #expect(foreign?.message.contains("page_token") == true)
        for forged in ["not-a-token", "%%%", String(repeating: "A", count: 5000)] {
            await expectStatus(.invalidArgument) {
                _ = try await contoso.call(DirectoryServiceMethods.listUsers, ListUsersRequest(pageToken: forged))
            }
        }
        await contoso.close()
        try await server.stop()
    }

    @Test("Issue 16, paging: ListMeetings with bodies larger than a frame in all comes back whole, page by page, byte for byte")
    func largeMeetings() async throws {
        let server = try await ServerFixture.start(hold: .seconds(3600))
        defer { server.removeData() }
        let contoso = try server.client(try await server.tenant("contoso").admin)
        let organizer = "big@contoso.com"
        _ = try await contoso.call(DirectoryServiceMethods.createUser, CreateUserRequest(user: User(userPrincipalName: organizer)))
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var bodies: [String: String] = [:]
        // Six bodies of 900 KB: 5.4 MB together, past the 4 MiB frame limit.
        for index in 0..<6 {
            let body = "Meeting \(index) é\n" + String(repeating: "line \(index) of a long agenda, with text ünicode\n", count: 900_000 / 50)
            let added = try await contoso.call(CalendarServiceMethods.addMeeting, AddMeetingRequest(meeting: Meeting(
                organizer: organizer, attendees: ["a@fabrikam.example"], startMicros: now + Int64(index + 1) * 3_600_000_000,
                endMicros: now + Int64(index + 2) * 3_600_000_000, subject: "Big \(index)", body: body, bodyFormat: .plainText,
                kind: .teams, createdThroughService: true)))
            bodies[added.meetingId] = added.body
        }
        let pages = try await Self.pages { token in
            let response = try await contoso.call(
                CalendarServiceMethods.listMeetings, ListMeetingsRequest(identity: organizer, includeBodies: true, pageToken: token))
            return (response.meetings, response.nextPageToken)
        }
        #expect(pages.count >= 5, "a page holds about 1 MiB of bodies: \(pages.map(\.count))")
        let listed = pages.flatMap { $0 }
        #expect(listed.map(\.meetingId).sorted() == bodies.keys.sorted())
        #expect(listed.map(\.startMicros) == listed.map(\.startMicros).sorted(), "by start")
        for meeting in listed { #expect(Array(meeting.body.utf8) == Array((bodies[meeting.meetingId] ?? "").utf8)) }
        // Without bodies it is one page; a token of the listing with bodies is not one of the listing without.
        let light = try await contoso.call(CalendarServiceMethods.listMeetings, ListMeetingsRequest(identity: organizer))
        #expect(light.meetings.count == 6 && light.nextPageToken.isEmpty && light.meetings.allSatisfy { $0.body.isEmpty })
        let withBodies = try await contoso.call(CalendarServiceMethods.listMeetings, ListMeetingsRequest(identity: organizer, includeBodies: true))
        await expectStatus(.invalidArgument) {
            _ = try await contoso.call(CalendarServiceMethods.listMeetings, ListMeetingsRequest(identity: organizer, pageToken: withBodies.nextPageToken))
        }
        await contoso.close()
        try await server.stop()
    }

    @Test("Issue 16, paging: ListAuditRecords pages newest first with no record twice, ListTenants, ListTokens and ListBridges by their keys")
    func auditTenantsTokensBridges() async throws {
        let server = try await ServerFixture.start(hold: .seconds(3600))
        defer { server.removeData() }
        let operatorClient = try server.client(server.operatorToken)
        let tenants = ["t-c", "t-a", "t-e", "t-b", "t-d"]
        var admins: [String] = []
        for id in tenants { admins.append(try await server.tenant(id).admin) }
        let admin = try server.client(admins[0])
        for index in 0..<9 {
            _ = try await admin.call(DirectoryServiceMethods.saveBridge, SaveBridgeRequest(bridge: Bridge(
                bridgeId: "bridge-\(8 - index)", name: "Bridge \(index)", numbers: [DialInNumber(number: "+1323886\(String(format: "%04d", index))", label: "US")])))
        }

        let tenantPages = try await Self.pages { token in
            let response = try await operatorClient.call(AdminServiceMethods.listTenants, ListTenantsRequest(pageSize: 2, pageToken: token))
            return (response.tenants.map(\.tenantId), response.nextPageToken)
        }
        #expect(tenantPages.map(\.count) == [2, 2, 1] && tenantPages.flatMap { $0 } == tenants.sorted())

        let all = try await operatorClient.call(AdminServiceMethods.listTokens, ListTokensRequest()).tokens.map(\.tokenId)
        let tokenPages = try await Self.pages { token in
            let response = try await operatorClient.call(AdminServiceMethods.listTokens, ListTokensRequest(pageSize: 3, pageToken: token))
            return (response.tokens.map(\.tokenId), response.nextPageToken)
        }
        #expect(all.count == 11 && tokenPages.flatMap { $0 } == all, "\(tokenPages)")

        let bridgePages = try await Self.pages { token in
            let response = try await admin.call(DirectoryServiceMethods.listBridges, ListBridgesRequest(pageSize: 4, pageToken: token))
            return (response.bridges.map(\.bridgeId), response.nextPageToken)
        }
        #expect(bridgePages.map(\.count) == [4, 4, 1] && bridgePages.flatMap { $0 } == (0..<9).map { "bridge-\($0)" })

        // The tenant's trail: 9 bridges saved; pages of 2 give the whole trail once, newest first.
        let trail = try await admin.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest()).records
        #expect(trail.count >= 9)
        let auditPages = try await Self.pages { token in
            let response = try await admin.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest(pageSize: 2, pageToken: token))
            return (response.records, response.nextPageToken)
        }
        let paged = auditPages.flatMap { $0 }
        #expect(paged.map(\.recordId) == trail.map(\.recordId), "\(auditPages.map { $0.map(\.recordId) })")
        #expect(Set(paged.map(\.recordId)).count == paged.count)
        // A token belongs to its filters: the same call with another time window refuses it.
        let first = try await admin.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest(pageSize: 2))
        await expectStatus(.invalidArgument) {
            _ = try await admin.call(AdminServiceMethods.listAuditRecords, ListAuditRecordsRequest(startTimeMicros: 1, pageSize: 2, pageToken: first.nextPageToken))
        }
        for client in [operatorClient, admin] { await client.close() }
        try await server.stop()
    }
}
