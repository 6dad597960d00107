import Foundation
import MMSCore
import Synchronization

/// Decoded values by their stored bytes, for rows read on every operation that rarely change
/// (a tenant's settings at every trigger, a bridge for every migrated meeting). The same bytes
/// always decode to the same value, so a hit is exact whatever file or row they came from; a
/// changed row has other bytes and is decoded afresh. Bounded: past `limit` entries it starts over.
package final class DecodedByBytes<Value: Sendable>: Sendable {
    private let entries = Mutex<[Data: Value]>([:])
    private let limit: Int

    package init(limit: Int) { self.limit = limit }

    package func value(_ data: Data, decode: (Data) throws -> Value) throws -> Value {
        if let hit = entries.withLock({ $0[data] }) { return hit }
        let value = try decode(data)
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[data] = value
        }
        return value
    }
}

/// The store's decode caches (shared by every store: a hit depends on the bytes alone).
package enum DecodeCaches {
    package static let settings = DecodedByBytes<TenantSettings>(limit: 1024)
    package static let bridges = DecodedByBytes<Bridge>(limit: 1024)
}
