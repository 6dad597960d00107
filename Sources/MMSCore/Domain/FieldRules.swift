import Foundation

/// Every rule a field's value must follow, written once (issue 9, "the same rule everywhere").
///
/// Creation and change both go through these, at the RPC edge and inside the engine, so the two
/// cannot disagree again: `mms user create --conference-id x1` is refused exactly as
/// `conference-id --set x1` is. Each rule throws a ``MigrationEngineError`` `.invalidArgument`
/// whose message is one line that names the field and quotes the value with anything
/// unprintable escaped (see ``quoted(_:)``), and returns the value as it is to be stored.
public enum FieldRules {
    /// The longest principal name, SIP address or e-mail address accepted.
    public static let maxAddressLength = 256
    /// The longest conference id (Microsoft's are 6 to 10 digits; 15 leaves room).
    public static let maxConferenceIdLength = 15
    /// The longest bridge id.
    public static let maxBridgeIdLength = 64

    // MARK: Addresses

    /// A user principal name: `local@domain.tld`, trimmed, at most 256 characters, no whitespace
    /// or control character anywhere.
    public static func principalName(_ value: String, field: String = "identity") throws -> String {
        let trimmed = value.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            throw invalid(field, "\(field) is empty: give the user's principal name, e.g. ashaw@contoso.com")
        }
        try address(trimmed, original: value, field: field, example: "ashaw@contoso.com", what: "a user principal name")
        return trimmed
    }

    /// An attendee's e-mail address: the same shape as a principal name.
    public static func mailAddress(_ value: String, field: String) throws -> String {
        let trimmed = value.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw invalid(field, "\(field) is empty: give an e-mail address such as bob@fabrikam.com") }
        try address(trimmed, original: value, field: field, example: "bob@fabrikam.com", what: "an e-mail address")
        return trimmed
    }

    /// A SIP address: `sip:` followed by an address of the same shape.
    public static func sipAddress(_ value: String, field: String = "sip_address") throws -> String {
        let trimmed = value.trimmingWhitespace()
        guard trimmed.hasPrefix("sip:"), trimmed.count > 4 else {
            throw invalid(field, "\(field) \(quoted(value)) is not like sip:user@domain")
        }
        try address(String(trimmed.dropFirst(4)), original: value, field: field, example: "sip:ashaw@contoso.com", what: "like sip:user@domain")
        return trimmed
    }

    private static func address(_ value: String, original: String, field: String, example: String, what: String) throws {
        // Printable ASCII without spaces (nearly every address, on every trigger's request path):
        // its characters are its bytes and none is a control or a space, so the Unicode property
        // scans below cannot find anything and are skipped (issue 11).
        let plainASCII = value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
        let length = plainASCII ? value.utf8.count : value.count
        guard length <= maxAddressLength else {
            throw invalid(field, "\(field) is \(length) characters long; the limit is \(maxAddressLength)")
        }
        if !plainASCII, let bad = value.unicodeScalars.first(where: isUnprintable) {
            throw invalid(field, "\(field) \(quoted(original)) contains the control character \(codePoint(bad)); remove it")
        }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              plainASCII || !value.unicodeScalars.contains(where: { $0.properties.isWhitespace })
        else {
            throw invalid(field, "\(field) \(quoted(original)) is not \(what) like \(example)")
        }
    }

    // MARK: Audio conferencing

    /// A conference id: ASCII digits only, 1 to 15 of them (spaces around are dropped).
    public static func conferenceId(_ value: String, field: String = "conference_id") throws -> String {
        let trimmed = value.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.count <= maxConferenceIdLength, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw invalid(field, "\(field) \(quoted(value)) must be 1 to \(maxConferenceIdLength) digits, e.g. 291633251")
        }
        return trimmed
    }

    /// A bridge id: 1 to 64 printable characters.
    public static func bridgeId(_ value: String, field: String = "bridge_id") throws -> String {
        guard !value.trimmingWhitespace().isEmpty else { throw invalid(field, "\(field) is empty") }
        guard value.count <= maxBridgeIdLength else {
            throw invalid(field, "\(field) is \(value.count) characters long; the limit is \(maxBridgeIdLength)")
        }
        if let bad = value.unicodeScalars.first(where: isUnprintable) {
            throw invalid(field, "\(field) \(quoted(value)) contains the control character \(codePoint(bad)); remove it")
        }
        return value
    }

    // MARK: Tenant settings

    /// The tenant's meeting URL host (`Update-CsTenantMeetingUrl`): a DNS name of at least two
    /// labels, each 1 to 63 letters, digits or '-', not starting or ending with '-'; at most 253
    /// characters; no scheme, port or path. Stored in lower case.
    public static func meetingURLHost(_ value: String, field: String = "host") throws -> String {
        let trimmed = value.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw invalid(field, "\(field) is empty: give a host name such as meet.contoso.com") }
        let labels = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        let valid = trimmed.utf8.count <= 253 && labels.count >= 2 && labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.utf8.allSatisfy { byte in
                    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D
                }
        }
        guard valid else {
            throw invalid(field, "\(field) \(quoted(value)) is not a host name like meet.contoso.com (no scheme, port, path or spaces)")
        }
        return trimmed.lowercased()
    }

    // MARK: Mailboxes

    /// A calendar server's URL: `https://host[:port][/path]`, or `http://` to a loopback host
    /// (127.0.0.0/8, ::1, localhost) or with `allowInsecure`; no user name or password in it
    /// (they go in their own fields, where the password is kept secret).
    public static func serverURL(_ value: String, field: String = "url", allowInsecure: Bool) throws -> String {
        let trimmed = value.trimmingWhitespace()
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty, components.query == nil, components.fragment == nil
        else {
            throw invalid(field, "\(field) \(quoted(value)) is not a URL like https://calendar.contoso.com/")
        }
        guard components.user == nil, components.password == nil else {
            throw invalid(field, "\(field) must not carry a user name or password: give them as username and password")
        }
        switch scheme {
        case "https": break
        case "http":
            guard allowInsecure || isLoopback(host) else {
                throw invalid(field, "\(field) \(quoted(value)) is plain http to \(host), which is not loopback: use https, or allow insecure http explicitly")
            }
        default:
            throw invalid(field, "\(field) \(quoted(value)) must start with https:// (or http:// to loopback)")
        }
        return trimmed
    }

    /// Whether `host` names this machine: `localhost` (or a name under `.localhost`, RFC 6761),
    /// 127.0.0.0/8 written as four numbers, or ::1. The one rule for plain http and plain SMTP.
    public static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// A calendar-home path template: starts with `/`, printable, at most 256 characters.
    public static func pathTemplate(_ value: String, field: String = "path_template") throws -> String {
        guard value.isEmpty || (value.hasPrefix("/") && value.count <= 256 && !value.unicodeScalars.contains(where: { isUnprintable($0) || $0 == " " })) else {
            throw invalid(field, "\(field) \(quoted(value)) must be a path starting with /, such as /{user}/ or /dav/calendars/{local}/")
        }
        return value
    }

    // MARK: Text

    /// Free text (a display name, a subject, a description): no U+0000 and no control character
    /// other than tab, CR and LF when `multiline`, none but tab otherwise.
    public static func text(_ value: String, field: String, multiline: Bool = false) throws {
        for scalar in value.unicodeScalars {
            let allowed = scalar == "\t" || (multiline && (scalar == "\n" || scalar == "\r"))
            if !allowed, isUnprintable(scalar) {
                let name = scalar.value == 0 ? "U+0000 (NUL)" : codePoint(scalar)
                throw invalid(field, "\(field) contains \(name), which is not allowed in text; remove it")
            }
        }
    }

    // MARK: Whole records

    /// The rules that tie a user's fields together, at creation as at change (T3): `TeamsOnly`
    /// only for a user homed online; a conference id only in digits; a SIP address like
    /// `sip:user@domain`.
    public static func user(_ user: User, fieldPrefix prefix: String = "user.") throws -> User {
        var user = user
        user.userPrincipalName = try principalName(user.userPrincipalName, field: prefix + "user_principal_name")
        user.sipAddress = try sipAddress(user.sipAddress, field: prefix + "sip_address")
        if user.teamsUpgradeMode == .teamsOnly && user.homing != .online {
            throw invalid(
                prefix + "teams_upgrade_mode",
                "\(prefix)teams_upgrade_mode TeamsOnly can be granted only to a user homed online (T3): create the user homed online, "
                    + "or create it on-premises and move it with Move-CsUser")
        }
        if let id = user.audioConferencing.conferenceId {
            user.audioConferencing.conferenceId = try conferenceId(id, field: prefix + "conference_id")
        }
        if let bridge = user.audioConferencing.bridge {
            _ = try bridgeId(bridge.rawValue, field: prefix + "bridge_id")
        }
        return user
    }

    // MARK: Messages

    /// `value` in double quotes for an error message, on one line: control characters, line
    /// breaks and other invisible scalars are written as `\u{…}`, and a long value is cut at 80
    /// characters with an ellipsis.
    public static func quoted(_ value: String) -> String {
        var out = "\""
        var count = 0
        for scalar in value.unicodeScalars {
            if count == 80 { out += "…"; break }
            count += 1
            if scalar == "\"" || scalar == "\\" {
                out += "\\" + String(scalar)
            } else if isUnprintable(scalar) {
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Control characters (C0, DEL, C1) and the line and paragraph separators.
    static func isUnprintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    private static func codePoint(_ scalar: Unicode.Scalar) -> String {
        "U+" + String(repeating: "0", count: max(0, 4 - String(scalar.value, radix: 16).count)) + String(scalar.value, radix: 16, uppercase: true)
    }

    private static func invalid(_ field: String, _ message: String) -> MigrationEngineError {
        MigrationEngineError(code: .invalidArgument, field: field, message: message)
    }
}
