#if !FUZZING
import MMSMessages
#endif
import MMSRPC
import NIOCore

/// Target `messages` (Sources/MMSMessages, the generated C in Sources/CMMSProtos, and protobuf-c
/// itself): the decode of every request message the server accepts.
///
/// The first byte picks the message type; the rest is its encoding. Properties, for a decode that
/// succeeds: encoding the value and decoding that gives the same value (NaN doubles compared by
/// how they print), and encoding is stable (the second encoding equals the first). A decode that fails throws `INVALID_ARGUMENT` with a
/// message; nothing else (no crash, no leak: AddressSanitizer's leak check runs at exit).
enum MessagesFuzz {
    static let name = "messages"

    /// Every request type, in a fixed order (the first input byte indexes it). Append only, so the
    /// committed corpus keeps its meaning.
    static let requests: [(name: String, check: @Sendable ([UInt8]) throws(PropertyFailure) -> Void)] = [
        ("CreateTenantRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(CreateTenantRequest.self, bytes) }),
        ("ListTenantsRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(ListTenantsRequest.self, bytes) }),
        ("CreateTokenRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(CreateTokenRequest.self, bytes) }),
        ("ListTokensRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(ListTokensRequest.self, bytes) }),
        ("RevokeTokenRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(RevokeTokenRequest.self, bytes) }),
        ("WhoAmIRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(WhoAmIRequest.self, bytes) }),
        ("AddMeetingRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(AddMeetingRequest.self, bytes) }),
        ("ListMeetingsRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(ListMeetingsRequest.self, bytes) }),
        ("GetMeetingRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(GetMeetingRequest.self, bytes) }),
        ("ListInvitationsRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(ListInvitationsRequest.self, bytes) }),
        ("ImportMeetingsRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(ImportMeetingsRequest.self, bytes) }),
        ("CreateUserRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(CreateUserRequest.self, bytes) }),
        ("GetUserRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(GetUserRequest.self, bytes) }),
        ("ListUsersRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(ListUsersRequest.self, bytes) }),
        ("MoveUserRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(MoveUserRequest.self, bytes) }),
        ("GrantTeamsUpgradePolicyRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(GrantTeamsUpgradePolicyRequest.self, bytes) }),
        ("GrantTenantTeamsUpgradePolicyRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(GrantTenantTeamsUpgradePolicyRequest.self, bytes) }),
        ("SetAudioConferencingLicenceRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(SetAudioConferencingLicenceRequest.self, bytes) }),
        ("SetAudioConferencingProviderRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(SetAudioConferencingProviderRequest.self, bytes) }),
        ("SetAudioConferencingEnabledRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(SetAudioConferencingEnabledRequest.self, bytes) }),
        ("ChangeConferenceIdRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(ChangeConferenceIdRequest.self, bytes) }),
        ("MoveUserToBridgeRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(MoveUserToBridgeRequest.self, bytes) }),
        ("ChangeSipAddressRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(ChangeSipAddressRequest.self, bytes) }),
        ("UpdateTenantMeetingUrlRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(UpdateTenantMeetingUrlRequest.self, bytes) }),
        ("SaveBridgeRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(SaveBridgeRequest.self, bytes) }),
        ("ListBridgesRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(ListBridgesRequest.self, bytes) }),
        ("UnassignBridgeNumberRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(UnassignBridgeNumberRequest.self, bytes) }),
        ("HealthCheckRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(HealthCheckRequest.self, bytes) }),
        ("StartMeetingMigrationRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(StartMeetingMigrationRequest.self, bytes) }),
        ("GetMigrationStatusRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(GetMigrationStatusRequest.self, bytes) }),
        ("ListMeetingOutcomesRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(ListMeetingOutcomesRequest.self, bytes) }),
        ("WatchMigrationRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(WatchMigrationRequest.self, bytes) }),
        ("GetTenantMigrationConfigurationRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(GetTenantMigrationConfigurationRequest.self, bytes) }),
        ("SetTenantMigrationConfigurationRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(SetTenantMigrationConfigurationRequest.self, bytes) }),
        ("GetDialInConferencingTenantSettingsRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(GetDialInConferencingTenantSettingsRequest.self, bytes) }),
        ("SetDialInConferencingTenantSettingsRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(SetDialInConferencingTenantSettingsRequest.self, bytes) }),
        ("GetMailboxSettingsRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(GetMailboxSettingsRequest.self, bytes) }),
        ("SetMailboxSettingsRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(SetMailboxSettingsRequest.self, bytes) }),
        ("TestMailboxSettingsRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(TestMailboxSettingsRequest.self, bytes) }),
        ("GetMailSettingsRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(GetMailSettingsRequest.self, bytes) }),
        ("SetMailSettingsRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(SetMailSettingsRequest.self, bytes) }),
        ("TestMailSettingsRequest", { (bytes: [UInt8]) throws(PropertyFailure) in try roundTrip(TestMailSettingsRequest.self, bytes) }),
    ]

    static func check(_ data: [UInt8]) throws(PropertyFailure) {
        var input = FuzzBytes(data)
        let index = Int(input.byte()) % requests.count
        try requests[index].check(input.rest())
    }

    static func roundTrip<M: ProtobufCBridgedMessage & Hashable>(_: M.Type, _ bytes: [UInt8]) throws(PropertyFailure) {
        let value: M
        do throws(RPCError) {
            value = try M.decode(from: ByteBuffer(bytes: bytes))
        } catch {
            try require(error.code == .invalidArgument && !error.message.isEmpty,
                        "\(M.messageName): a refused decode gave \(error.code) \(error.message)")
            return
        }
        let encoded: [UInt8]
        do throws(RPCError) {
            encoded = try value.serializedBytes()
        } catch {
            throw PropertyFailure(description: "\(M.messageName) decoded but does not encode again: \(error.message)")
        }
        let again: M
        do throws(RPCError) {
            again = try M(serializedBytes: encoded)
        } catch {
            throw PropertyFailure(description: "\(M.messageName) encoded as \(describe(encoded)) does not decode: \(error.message)")
        }
        let encodedAgain = (try? again.serializedBytes()) ?? []
        try require(encodedAgain == encoded, "\(M.messageName): encoding is not stable: \(describe(encoded)) then \(describe(encodedAgain))")
        // A double field may hold NaN, which is not equal to itself (Regressions/messages/nan-rate-limit):
        // then the values must print the same (and, above, encode to the same bytes).
        try require(again == value || String(describing: again) == String(describing: value),
                    "\(M.messageName): decode(encode(x)) != x for input \(describe(bytes))")
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do { try MessagesFuzz.check(bytes) } catch { fatalError("property failed: \(error)") }
    return 0
}
#endif
