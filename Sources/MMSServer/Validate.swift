import Foundation
import MMSCore
import MMSRPC

/// Validation at the edge: bad input is refused with a message that names the field.
///
/// The rules themselves live in ``FieldRules`` (MMSCore), which the engine applies too, so a
/// field follows the same rule at creation and at change; this only turns a rule's error into
/// `INVALID_ARGUMENT`.
enum Validate {
    /// A tenant id: lower-case letters, digits and '-', 1 to 63 characters.
    static func tenantID(_ id: String) throws -> String {
        let valid = !id.isEmpty && id.count <= 63 && id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
        }
        guard valid else {
            throw RPCError(.invalidArgument, "tenant_id \(FieldRules.quoted(id)) is invalid: use 1 to 63 lower-case letters, digits or '-', e.g. contoso")
        }
        return id
    }

    /// A user principal name (``FieldRules/principalName(_:field:)``).
    static func identity(_ identity: String, field: String = "identity") throws -> String {
        try rule { try FieldRules.principalName(identity, field: field) }
    }

    /// Runs one of ``FieldRules``, as `INVALID_ARGUMENT`.
    static func rule<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as MigrationEngineError {
            throw RPCError(.invalidArgument, error.message)
        }
    }
}
