/// E-mail addresses as the service compares them (issue 9, M2 step 4, M5).
///
/// Two spellings are the same mailbox when they are equal ignoring case in both the local part
/// and the domain, as Exchange treats them (RFC 5321 lets the local part be case-sensitive, but
/// no mail system this service serves does that, and sending a person the same invitation twice
/// is the worse failure). Surrounding whitespace is not part of an address.
public enum MailAddress {
    /// The key two spellings of one mailbox share: trimmed, lower-cased.
    public static func key(_ address: String) -> String {
        address.trimmingWhitespace().lowercased()
    }

    /// `addresses` with every later spelling of an address already listed left out, and
    /// `excluding` (the organiser, when given) left out too. The first spelling is kept as written,
    /// in the order given.
    public static func distinct(_ addresses: [String], excluding excluded: String? = nil) -> [String] {
        var seen = Set<String>()
        seen.reserveCapacity(addresses.count + 1)
        if let excluded { seen.insert(key(excluded)) }
        var result: [String] = []
        result.reserveCapacity(addresses.count)
        for address in addresses {
            let trimmed = address.trimmingWhitespace()
            guard seen.insert(trimmed.lowercased()).inserted else { continue }
            result.append(trimmed)
        }
        return result
    }
}
