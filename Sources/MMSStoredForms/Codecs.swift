import Foundation
import MMSCore

extension Date {
    /// Microseconds since 1970, the storage form of every time.
    package var micros: Int64 { Int64((timeIntervalSince1970 * 1_000_000).rounded()) }

    package init(micros: Int64) { self.init(timeIntervalSince1970: Double(micros) / 1_000_000) }
}

extension Duration {
    package var micros: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}

/// JSON for the small structured columns. Bodies never go through it: they are stored as
/// their exact UTF-8 bytes in BLOB columns (M8), so no layer can normalise them.
package enum JSON {
    package static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.micros)
        }
        return try encoder.encode(value)
    }

    package static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            Date(micros: try decoder.singleValueContainer().decode(Int64.self))
        }
        return try decoder.decode(type, from: data)
    }
}

extension String {
    /// The exact UTF-8 bytes.
    package var utf8Data: Data { Data(utf8) }

    /// The string whose UTF-8 bytes are exactly `data` (no normalisation).
    package init(utf8Data data: Data) { self = String(decoding: data, as: UTF8.self) }
}

