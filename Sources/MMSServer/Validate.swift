import Foundation
import MMSCore
import MMSRPC

/// Validation at the edge: bad input is refused with a message that names the field.
enum Validate {
    /// A user principal name: `local@domain`, no spaces, at most 256 characters.
    /// A tenant id: lower-case letters, digits and '-', 1 to 63 characters.
    static func tenantID(_ id: String) throws -> String {
        let valid = !id.isEmpty && id.count <= 63 && id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
        }
        guard valid else {
            throw RPCError(.invalidArgument, "tenant_id \"\(id)\" is invalid: use 1 to 63 lower-case letters, digits or '-', e.g. contoso")
        }
        return id
    }

    static func identity(_ identity: String, field: String = "identity") throws -> String {
        let trimmed = identity.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            throw RPCError(.invalidArgument, "\(field) is empty: give the user's principal name, e.g. ashaw@contoso.com")
        }
        guard trimmed.count <= 256 else {
            throw RPCError(.invalidArgument, "\(field) is \(trimmed.count) characters long; the limit is 256")
        }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !trimmed.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw RPCError(.invalidArgument, "\(field) \"\(identity)\" is not a user principal name like ashaw@contoso.com")
        }
        return trimmed
    }
}
