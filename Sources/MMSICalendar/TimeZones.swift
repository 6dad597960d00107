import Foundation

/// A time zone defined by a `VTIMEZONE` component (RFC 5545 §3.6.5).
public struct TimeZoneDefinition: Hashable, Sendable {
    /// One `STANDARD` or `DAYLIGHT` sub-component.
    public struct Observance: Hashable, Sendable {
        /// Whether the observance is `DAYLIGHT` (summer time) rather than `STANDARD`.
        public var isDaylight: Bool
        /// `DTSTART`: the first onset, as wall-clock time in the offset in effect before it.
        public var onset: LocalDateTime
        /// `TZOFFSETFROM`, in seconds east of UTC.
        public var offsetFrom: Int
        /// `TZOFFSETTO`, in seconds east of UTC.
        public var offsetTo: Int
        /// `RRULE`s giving further onsets.
        public var rules: [RecurrenceRule]
        /// `RDATE`s giving further onsets (wall-clock, like `DTSTART`).
        public var additionalOnsets: [LocalDateTime]
    }

    /// The `TZID`.
    public var identifier: String
    /// The observances, in document order.
    public var observances: [Observance]

    /// Reads a `VTIMEZONE` component.
    /// - Parameter component: The component.
    /// - Throws: ``ICalendarError`` when `TZID`, `DTSTART`, `TZOFFSETFROM`, `TZOFFSETTO` or an `RRULE` is missing or malformed.
    public init(component: Component) throws(ICalendarError) {
        guard let identifier = component.property(named: "TZID")?.value.trimmingSpaces(), !identifier.isEmpty else {
            throw ICalendarError(code: .invalidValue, message: "VTIMEZONE without TZID", lineNumber: component.lineNumber)
        }
        self.identifier = identifier
        self.observances = []
        for child in component.components where child.hasName("STANDARD") || child.hasName("DAYLIGHT") {
            func required(_ name: String) throws(ICalendarError) -> Property {
                guard let property = child.property(named: name) else {
                    throw ICalendarError(code: .invalidValue, message: "\(child.name) of VTIMEZONE \(identifier) has no \(name)", lineNumber: child.lineNumber)
                }
                return property
            }
            let onset = try required("DTSTART").dateTimeValue().local
            let offsetFrom = try Self.parseOffset(required("TZOFFSETFROM"))
            let offsetTo = try Self.parseOffset(required("TZOFFSETTO"))
            var rules: [RecurrenceRule] = []
            for property in child.properties(named: "RRULE") {
                do throws(ICalendarError) {
                    rules.append(try RecurrenceRule(parsing: property.value))
                } catch {
                    throw ICalendarError(code: error.code, message: error.message, lineNumber: property.lineNumber)
                }
            }
            var additional: [LocalDateTime] = []
            for property in child.properties(named: "RDATE") {
                additional.append(contentsOf: try property.dateTimeValues().map(\.local))
            }
            observances.append(Observance(isDaylight: child.hasName("DAYLIGHT"), onset: onset, offsetFrom: offsetFrom,
                                          offsetTo: offsetTo, rules: rules, additionalOnsets: additional))
        }
        guard !observances.isEmpty else {
            throw ICalendarError(code: .invalidValue, message: "VTIMEZONE \(identifier) has no STANDARD or DAYLIGHT", lineNumber: component.lineNumber)
        }
    }

    /// Parses a UTC-OFFSET value (`+HHMM`, `-HHMM`, `+HHMMSS`).
    static func parseOffset(_ property: Property) throws(ICalendarError) -> Int {
        let text = Array(property.value.trimmingSpaces().utf8)
        let invalid = ICalendarError(code: .invalidValue, message: "\(property.name) '\(property.value)' is not a UTC offset", lineNumber: property.lineNumber)
        guard text.count == 5 || text.count == 7, text[0] == UInt8(ascii: "+") || text[0] == UInt8(ascii: "-"),
              text[1...].allSatisfy({ (0x30...0x39).contains($0) }) else { throw invalid }
        let digits = text[1...].map { Int($0 - 0x30) }
        let hours = digits[0] * 10 + digits[1], minutes = digits[2] * 10 + digits[3]
        let seconds = digits.count == 6 ? digits[4] * 10 + digits[5] : 0
        let magnitude = hours * 3_600 + minutes * 60 + seconds
        return text[0] == UInt8(ascii: "-") ? -magnitude : magnitude
    }

    struct Transition {
        var instant: Int
        var offsetFrom: Int
        var offsetTo: Int
    }

    /// Every transition whose onset year is at most `lastYear`, sorted by instant.
    func transitions(throughYear lastYear: Int) -> [Transition] {
        var result: [Transition] = []
        for observance in observances {
            func add(_ local: LocalDateTime) {
                result.append(Transition(instant: local.secondsSinceEpochAsUTC - observance.offsetFrom,
                                         offsetFrom: observance.offsetFrom, offsetTo: observance.offsetTo))
            }
            add(observance.onset)
            observance.additionalOnsets.filter { $0.year <= lastYear }.forEach(add)
            for rule in observance.rules {
                let until = rule.until
                let offsetFrom = observance.offsetFrom
                var iterator = RecurrenceIterator(rule: rule, start: observance.onset, maximumIterations: 1_000_000) { candidate in
                    guard let until else { return false }
                    switch until.reference {
                    case .utc: return candidate.secondsSinceEpochAsUTC - offsetFrom > until.local.secondsSinceEpochAsUTC
                    default: return until.isDate ? candidate.dayNumber > until.local.dayNumber : candidate > until.local
                    }
                }
                iterator.horizonYear = lastYear
                while let onset = iterator.next() {
                    if onset.year > lastYear { break }
                    add(onset)
                }
            }
        }
        return result.sorted { $0.instant < $1.instant }
    }
}

/// Converts DATE and DATE-TIME values to instants, resolving `TZID`s through the
/// resource's own `VTIMEZONE`s first and Foundation's `TimeZone(identifier:)` (Olson names) second.
///
/// Floating times and DATE values (all-day) are treated as UTC. A wall-clock
/// time that does not exist (in a spring-forward gap) is read with the offset
/// in effect before the gap; an ambiguous one (fall-back overlap) resolves to
/// the first, earlier instant (RFC 5545 §3.3.5).
///
/// The resolver caches transition tables; it is not thread-safe, so use one per task.
public final class TimeZoneResolver {
    private enum Zone {
        case definition(TimeZoneDefinition)
        case foundation(TimeZone)
    }

    private final class ZoneTable {
        let zone: Zone
        var transitions: [TimeZoneDefinition.Transition] = []
        var computedThroughYear = Int.min

        init(zone: Zone) { self.zone = zone }

        func offset(atInstant instant: Int) -> Int {
            switch zone {
            case .foundation(let timeZone):
                return timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
            case .definition(let definition):
                let year = LocalDateTime(secondsSinceEpochAsUTC: instant).year + 1
                if year > computedThroughYear {
                    computedThroughYear = min(9_999, year + 50)
                    transitions = definition.transitions(throughYear: computedThroughYear)
                }
                // The last transition at or before the instant decides; before the first one, its "from" offset applies.
                var low = 0, high = transitions.count
                while low < high {
                    let middle = (low + high) / 2
                    if transitions[middle].instant <= instant { low = middle + 1 } else { high = middle }
                }
                if low == 0 { return transitions.first?.offsetFrom ?? 0 }
                return transitions[low - 1].offsetTo
            }
        }
    }

    private var definitions: [String: TimeZoneDefinition] = [:]
    private var definitionErrors: [String: ICalendarError] = [:]
    private var tables: [String: ZoneTable] = [:]

    /// Creates a resolver that knows the given definitions and Foundation's Olson zones.
    /// - Parameter definitions: Time zones from `VTIMEZONE` components.
    public init(definitions: [TimeZoneDefinition] = []) {
        for definition in definitions { self.definitions[definition.identifier] = definition }
    }

    /// Creates a resolver that knows every `VTIMEZONE` in the resource and Foundation's Olson zones.
    ///
    /// A malformed `VTIMEZONE` is reported when its `TZID` is used.
    /// - Parameter resource: The resource.
    public convenience init(resource: ICalendarResource) {
        self.init()
        for component in resource.allComponents(named: "VTIMEZONE") {
            do throws(ICalendarError) {
                let definition = try TimeZoneDefinition(component: component)
                definitions[definition.identifier] = definition
            } catch {
                if let identifier = component.property(named: "TZID")?.value.trimmingSpaces() {
                    definitionErrors[identifier] = error
                }
            }
        }
    }

    /// The instant of a DATE or DATE-TIME value.
    /// - Parameter value: The value.
    /// - Throws: ``ICalendarError`` with code `unknownTimeZone` for an unknown `TZID`.
    public func date(for value: DateTimeValue) throws(ICalendarError) -> Date {
        Date(timeIntervalSince1970: TimeInterval(try instant(for: value)))
    }

    /// The UTC offset, in seconds east of UTC, of a zone at an instant.
    /// - Parameters:
    ///   - date: The instant.
    ///   - timeZoneID: A `TZID` of the resource or an Olson identifier.
    /// - Throws: ``ICalendarError`` with code `unknownTimeZone` for an unknown zone.
    public func utcOffset(at date: Date, timeZoneID: String) throws(ICalendarError) -> Int {
        try table(for: timeZoneID).offset(atInstant: Int(date.timeIntervalSince1970.rounded(.down)))
    }

    /// Seconds since the epoch of a value.
    func instant(for value: DateTimeValue) throws(ICalendarError) -> Int {
        try instant(for: value.local, reference: value.isDate ? .floating : value.reference)
    }

    /// Seconds since the epoch of a wall-clock time.
    func instant(for local: LocalDateTime, reference: TimeReference) throws(ICalendarError) -> Int {
        let wallClock = local.secondsSinceEpochAsUTC
        switch reference {
        case .utc, .floating:
            return wallClock
        case .zone(let identifier):
            let table = try table(for: identifier)
            let offsetBefore = table.offset(atInstant: wallClock - 86_400)
            let offsetAfter = table.offset(atInstant: wallClock + 86_400)
            if table.offset(atInstant: wallClock - offsetBefore) == offsetBefore { return wallClock - offsetBefore }
            if table.offset(atInstant: wallClock - offsetAfter) == offsetAfter { return wallClock - offsetAfter }
            // In a gap: read the time with the offset in effect before the transition.
            return wallClock - offsetBefore
        }
    }

    private func table(for identifier: String) throws(ICalendarError) -> ZoneTable {
        if let table = tables[identifier] { return table }
        let zone: Zone
        if let definition = definitions[identifier] {
            zone = .definition(definition)
        } else if let error = definitionErrors[identifier] {
            throw error
        } else if let timeZone = Self.foundationTimeZone(identifier) {
            zone = .foundation(timeZone)
        } else {
            throw ICalendarError(code: .unknownTimeZone, message: "TZID '\(identifier)' matches no VTIMEZONE and no known time zone")
        }
        let table = ZoneTable(zone: zone)
        tables[identifier] = table
        return table
    }

    /// Foundation's zone for an identifier, also trying the Olson name at the end of
    /// vendor-prefixed identifiers such as `/mozilla.org/20050126_1/America/New_York`.
    private static func foundationTimeZone(_ identifier: String) -> TimeZone? {
        if let timeZone = TimeZone(identifier: identifier) { return timeZone }
        let parts = identifier.split(separator: "/")
        guard parts.count > 1 else { return nil }
        for length in [3, 2] where parts.count > length {
            if let timeZone = TimeZone(identifier: parts.suffix(length).joined(separator: "/")) { return timeZone }
        }
        return nil
    }
}
