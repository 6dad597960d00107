import Crypto
import Foundation
import MMSRPC

/// Pages of every List call (issue 16, PROTOCOL.md §9 "Paging").
///
/// A request carries `page_size` and `page_token`; a response `next_page_token`, empty on the last
/// page. A token is opaque to clients: here it is the sort key of the last item sent, with the
/// query it belongs to (the call and its filters), so a token given to another query is refused
/// rather than silently answered from the wrong place. Items are sent in a total order (a unique
/// key last), so a page never repeats or skips an item that existed through the whole listing;
/// one added or removed meanwhile appears or not, as it falls before or after the cursor.
enum Paging {
    /// Items per page when `page_size` is 0 (as ListUsers and ListAuditRecords gave before paging).
    static let defaultPageSize = 1_000
    /// The most items a page holds, whatever `page_size` asks.
    static let maxPageSize = 1_000
    /// Bytes of items a page is filled up to, with room under the 4 MiB frame limit for the rest
    /// of the message: a page stops early rather than exceed the frame (always one item at least).
    static let byteBudget = 1 << 20

    /// The page size a request asks for: `pageSize`, else the older `limit` field, else the default; at most the maximum.
    static func size(_ pageSize: UInt32, limit: UInt32 = 0) -> Int {
        let asked = pageSize != 0 ? pageSize : limit
        return asked == 0 ? Self.defaultPageSize : Int(min(asked, UInt32(Self.maxPageSize)))
    }

    /// What a token carries of its query: 16 hex digits of the SHA-256 of the call and its filters.
    static func fingerprint(_ scope: String) -> String {
        SHA256.hash(data: Data(scope.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// A page token: the query's fingerprint and the last key, base64url.
    static func token(scope: String, key: [String]) -> String {
        let text = ([Self.fingerprint(scope)] + key).joined(separator: "\n")
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The key a page token carries, nil for an empty token (the first page).
    /// - Throws: `INVALID_ARGUMENT` for a token this server did not make for this query.
    static func key(_ token: String, scope: String, parts: Int) throws(RPCError) -> [String]? {
        guard !token.isEmpty else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard token.utf8.count <= 4096, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else {
            throw RPCError(.invalidArgument, "page_token is not a token this server gave: pass next_page_token as it came")
        }
        let fields = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == parts + 1 else {
            throw RPCError(.invalidArgument, "page_token is not a token this server gave: pass next_page_token as it came")
        }
        guard fields[0] == Self.fingerprint(scope) else {
            throw RPCError(.invalidArgument, "page_token belongs to another query: give the same call and filters as the page it came from")
        }
        return Array(fields.dropFirst())
    }

    /// A fixed-width form of a number, so that keys compare as strings in numeric order.
    static func sortable(_ value: Int64) -> String {
        let biased = UInt64(bitPattern: value) ^ (1 << 63)
        let digits = String(biased)
        return String(repeating: "0", count: 20 - digits.count) + digits
    }

    /// The number a ``sortable(_:)`` key holds.
    static func number(_ key: String) -> Int64? {
        UInt64(key).map { Int64(bitPattern: $0 ^ (1 << 63)) }
    }

    /// One page of `items`, which are in ascending order of `key` (descending when `descending`),
    /// starting after `after`; and the key to continue after, nil when this is the last page.
    static func page<Item>(
        _ items: [Item], after: [String]?, size: Int, descending: Bool = false,
        key: (Item) -> [String], bytes: (Item) -> Int = { _ in 0 }
    ) -> (items: ArraySlice<Item>, next: [String]?) {
        var start = items.startIndex
        if let after {
            start = items.firstIndex { item in
                let itemKey = key(item)
                return descending ? itemKey.lexicographicallyPrecedes(after) : after.lexicographicallyPrecedes(itemKey)
            } ?? items.endIndex
        }
        var end = start
        var used = 0
        while end < items.endIndex, end - start < size {
            let cost = bytes(items[end])
            if end > start, used + cost > Self.byteBudget { break }
            used += cost
            end += 1
        }
        let next = end < items.endIndex && end > start ? key(items[end - 1]) : nil
        return (items[start..<end], next)
    }
}
