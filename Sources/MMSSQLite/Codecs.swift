import Foundation
import GRDB
import MMSCore
import MMSStoredForms

extension Row {
    func date(_ column: String) -> Date { Date(micros: self[column]) }
    func optionalDate(_ column: String) -> Date? { (self[column] as Int64?).map(Date.init(micros:)) }
}
