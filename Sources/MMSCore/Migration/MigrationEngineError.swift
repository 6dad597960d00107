/// A request the engine refuses because its input is wrong; nothing was changed.
///
/// The RPC server maps ``Code-swift.struct/invalidArgument`` to `INVALID_ARGUMENT`,
/// ``Code-swift.struct/notFound`` to `NOT_FOUND`, and so on.
public struct MigrationEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An extensible error category.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// A field is empty, malformed or out of range.
        public static let invalidArgument = Code("invalidArgument")
        /// A named user, bridge, meeting or number does not exist.
        public static let notFound = Code("notFound")
        /// The record to create exists already (e.g. a second user with the same principal name).
        public static let alreadyExists = Code("alreadyExists")
        /// The operation conflicts with the current state (e.g. a conference id already used on the bridge).
        public static let failedPrecondition = Code("failedPrecondition")
        public var description: String { name }
    }

    /// The category.
    public var code: Code
    /// The input field at fault, e.g. `identity`.
    public var field: String?
    /// What is wrong, in words that name the field and the value.
    public var message: String

    /// Creates an error.
    public init(code: Code, field: String? = nil, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { message }

    static func emptyField(_ field: String) -> MigrationEngineError {
        MigrationEngineError(code: .invalidArgument, field: field, message: "\(field) must not be empty")
    }

    public static func unknownUser(_ identity: String, tenant: TenantID) -> MigrationEngineError {
        MigrationEngineError(
            code: .notFound, field: "identity",
            message: "no user with principal name '\(identity)' in tenant '\(tenant)'")
    }
}
