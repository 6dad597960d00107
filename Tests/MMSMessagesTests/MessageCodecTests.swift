import MMSMessages
import MMSRPC
import NIOCore
import Testing

@Suite("protobuf-c message codec")
struct MessageCodecTests {
    let status = MigrationStatus(
        correlationId: "849d3e3b-3e1d-465f-8dde-785aa9e3f856", userId: "0b3c4d5e", userPrincipalName: "ashaw@contoso.com",
        state: .failed, migrationType: .sfbToTeams, retryCount: 9,
        lastMessage: "Le calendrier de 山田 est inaccessible — réessayez 🙂 مرحبا",
        createDateMicros: 1_714_177_440_144_268, modifiedDateMicros: 1_714_177_440_144_269,
        totalMeeting: 20, succeededMeeting: 18, failedMeeting: 2, invitesUpdate: 18
    )

    @Test("every field of a status record survives a round trip, Unicode exactly (M8)")
    func statusRoundTrip() throws {
        let decoded = try MigrationStatus(serializedBytes: try self.status.serializedBytes())
        #expect(decoded == self.status)
        #expect(Array(decoded.lastMessage.utf8) == Array(self.status.lastMessage.utf8))
    }

    @Test("nested and repeated messages round-trip")
    func nestedAndRepeated() throws {
        let response = GetMigrationStatusResponse(
            records: [self.status, MigrationStatus(userPrincipalName: "b@contoso.com", state: .pending)],
            summary: [StateUserCount(state: .pending, userCount: 3), StateUserCount(state: .failed, userCount: 1)]
        )
        #expect(try GetMigrationStatusResponse(serializedBytes: try response.serializedBytes()) == response)
        let start = StartMeetingMigrationResponse(queued: true, correlationId: "c1", status: self.status)
        #expect(try StartMeetingMigrationResponse(serializedBytes: try start.serializedBytes()) == start)
        let empty = StartMeetingMigrationResponse()
        #expect(try StartMeetingMigrationResponse(serializedBytes: try empty.serializedBytes()) == empty)
    }

    @Test("NFC and NFD forms of the same text stay distinct byte for byte (M8)")
    func normalisationForms() throws {
        let nfc = "Caf\u{E9} Zo\u{EB}"
        let nfd = "Cafe\u{301} Zoe\u{308}"
        for text in [nfc, nfd] {
            let decoded = try StartMeetingMigrationRequest(serializedBytes: try StartMeetingMigrationRequest(identity: text).serializedBytes())
            #expect(Array(decoded.identity.utf8) == Array(text.utf8))
        }
    }

    @Test("truncated bytes are INVALID_ARGUMENT naming the message")
    func truncated() throws {
        let bytes = try self.status.serializedBytes()
        #expect {
            _ = try MigrationStatus(serializedBytes: Array(bytes.dropLast(3)))
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.code == .invalidArgument && error.message.contains("mms.v1.MigrationStatus")
        }
    }

    @Test("an enum value this API does not define is INVALID_ARGUMENT naming the field")
    func unknownEnum() throws {
        // Field 2 (source_meeting_type), varint 42.
        #expect {
            _ = try StartMeetingMigrationRequest(serializedBytes: [0x10, 42])
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.code == .invalidArgument && error.message.contains("source_meeting_type") && error.message.contains("42")
        }
    }

    @Test("a string that is not UTF-8 is rejected, not repaired (M8)")
    func invalidUTF8() throws {
        // Field 1 (identity), 2 bytes: an invalid UTF-8 sequence.
        #expect {
            _ = try StartMeetingMigrationRequest(serializedBytes: [0x0A, 0x02, 0xC3, 0x28])
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.code == .invalidArgument && error.message.contains("identity") && error.message.contains("UTF-8")
        }
    }

    @Test("a string holding U+0000 cannot be encoded and says which field")
    func nulInString() throws {
        #expect {
            _ = try StartMeetingMigrationRequest(identity: "a\u{0}b").serializedBytes()
        } throws: { error in
            (error as? RPCError)?.message.contains("StartMeetingMigrationRequest.identity") == true
        }
    }

    @Test("an empty message decodes to defaults")
    func emptyMessage() throws {
        #expect(try GetMigrationStatusRequest(serializedBytes: []) == GetMigrationStatusRequest())
    }

    @Test("a message over the size limit is refused before protobuf-c sees it")
    func sizeLimit() throws {
        let huge = ByteBuffer(repeating: 0, count: maxEncodedMessageSize + 1)
        #expect {
            _ = try HealthCheckRequest.decode(from: huge)
        } throws: { error in
            (error as? RPCError)?.message.contains("over the limit") == true
        }
    }

    @Test("random bytes never crash the decoder: they decode or fail with INVALID_ARGUMENT")
    func fuzz() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<64, using: &generator)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let outcome = Result { () throws(RPCError) in try GetMigrationStatusResponse(serializedBytes: bytes) }
            if case .failure(let error) = outcome {
                #expect(error.code == .invalidArgument)
            }
        }
    }

    @Test("method identifiers are full names, independent of declaration order")
    func methodNames() {
        #expect(MigrationServiceMethods.startMeetingMigration.fullName == "mms.v1.MigrationService/StartMeetingMigration")
        #expect(MigrationServiceMethods.getMigrationStatus.fullName == "mms.v1.MigrationService/GetMigrationStatus")
        #expect(HealthMethods.check.fullName == "mms.v1.Health/Check")
    }
}
