import MMSMessages
import MMSRPC
import Testing

/// Issue 9 and issue 16: a U+0000 inside a string is refused with INVALID_ARGUMENT naming the
/// field, never cut short silently (protobuf-c reads strings as C strings).
@Suite("protobuf-c strings holding U+0000")
struct NULStringTests {
    /// `message` encoded with its one `~` byte replaced by 0x00, as a peer not using our encoder sends it.
    func withNUL<M: ProtobufCBridgedMessage>(_ message: M) throws -> [UInt8] {
        var bytes = try message.serializedBytes()
        let marker = try #require(bytes.firstIndex(of: UInt8(ascii: "~")))
        bytes[marker] = 0
        #expect(bytes.firstIndex(of: UInt8(ascii: "~")) == nil, "one marker only")
        return bytes
    }

    func expectRefused<M: ProtobufCBridgedMessage>(_ type: M.Type, _ bytes: [UInt8], naming field: String) {
        do {
            let decoded = try M(serializedBytes: bytes)
            Issue.record("decoded as \(decoded) instead of being refused")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains(field) && error.message.contains("U+0000"), "\(error.message)")
        }
    }

    @Test("a top-level string with U+0000 is INVALID_ARGUMENT naming it")
    func topLevel() throws {
        let bytes = try withNUL(CreateTenantRequest(tenantId: "contoso", displayName: "a~b"))
        expectRefused(CreateTenantRequest.self, bytes, naming: "CreateTenantRequest.display_name")
        let description = try withNUL(CreateTokenRequest(tenantId: "contoso", role: .tenantReader, description: "ci~token"))
        expectRefused(CreateTokenRequest.self, description, naming: "CreateTokenRequest.description")
    }

    @Test("a nested string (a meeting's body, a user's name) is refused naming the path")
    func nested() throws {
        let meeting = try withNUL(AddMeetingRequest(meeting: Meeting(organizer: "a@contoso.com", subject: "s", body: "before~after", bodyFormat: .plainText)))
        expectRefused(AddMeetingRequest.self, meeting, naming: "Meeting.body")
        let user = try withNUL(CreateUserRequest(user: User(userPrincipalName: "a@contoso.com", sipAddress: "sip:a~@contoso.com")))
        expectRefused(CreateUserRequest.self, user, naming: "User.sip_address")
        let attendees = try withNUL(AddMeetingRequest(meeting: Meeting(attendees: ["x@y.z", "b~@y.z"])))
        expectRefused(AddMeetingRequest.self, attendees, naming: "Meeting.attendees")
    }

    @Test("our own encoder refuses U+0000 as INVALID_ARGUMENT, not INTERNAL")
    func encoder() {
        do {
            _ = try CreateTenantRequest(tenantId: "contoso", displayName: "a\u{0}b").serializedBytes()
            Issue.record("encoded a string holding U+0000")
        } catch {
            #expect(error.code == .invalidArgument && error.message.contains("U+0000"))
        }
    }

    @Test("a message with no NUL, and one whose repack is smaller for another reason (a repeated scalar), still decode")
    func noFalseRefusal() throws {
        #expect(try CreateTenantRequest(serializedBytes: try CreateTenantRequest(tenantId: "t", displayName: "ok").serializedBytes()).displayName == "ok")
        // limit = 5 twice (field 1, varint): proto3 keeps the last, so the repack is 2 bytes shorter.
        let twice: [UInt8] = [0x08, 0x05, 0x08, 0x07]
        #expect(try ListUsersRequest(serializedBytes: twice).limit == 7)
    }
}
