import Foundation

/// Which end of an occurrence a search compares with the given instant.
public enum OccurrenceBoundary: Hashable, Sendable {
    /// The occurrence's start.
    case start
    /// The occurrence's end (its start for events without duration).
    case end
}

/// Limits for recurrence expansion, so an unbounded or never-matching rule cannot loop forever.
public struct OccurrenceLimits: Hashable, Sendable {
    /// The budget, per `RRULE`, of recurrence periods plus candidates examined.
    public var maximumIterations: Int

    /// Creates limits.
    /// - Parameter maximumIterations: The budget per `RRULE` of periods plus candidates.
    public init(maximumIterations: Int) {
        self.maximumIterations = maximumIterations
    }

    /// 500 000 iterations per rule.
    public static var defaults: OccurrenceLimits { OccurrenceLimits(maximumIterations: 500_000) }
}

/// One occurrence of an event.
public struct EventOccurrence: Hashable, Sendable {
    /// When the occurrence starts.
    public var start: Date
    /// When it ends.
    public var end: Date
    /// The `RECURRENCE-ID` instant this occurrence stands for (its original start).
    public var recurrenceID: Date
    /// Whether the occurrence comes from an override component (one with a `RECURRENCE-ID`).
    public var isOverride: Bool
}

/// A recurring (or single) event: a master `VEVENT` and the overrides with
/// the same `UID` and a `RECURRENCE-ID` in the same resource.
///
/// The recurrence set is `DTSTART`, plus every `RRULE` and `RDATE` occurrence,
/// minus `EXDATE`s (RFC 5545 §3.8.5); overrides replace the instance whose
/// start equals their `RECURRENCE-ID`, and overrides with `STATUS:CANCELLED`
/// remove it. Rules are expanded in the event's own time zone (wall-clock, so
/// a 09:00 meeting stays at 09:00 across DST) and converted to UTC by a
/// ``TimeZoneResolver``. Not supported: `EXRULE`, `RANGE=THISANDFUTURE`
/// (treated as a single-instance override), `RDATE` period ends (the event's
/// duration is used).
public struct EventSeries: Hashable, Sendable {
    /// The `UID`, if any.
    public var uid: String?
    /// The master component (the one without `RECURRENCE-ID`); `nil` when the resource holds only overrides.
    public var master: Component?
    /// The override components (with a `RECURRENCE-ID`).
    public var overrides: [Component]

    /// Creates a series.
    /// - Parameters:
    ///   - master: The master component, if any.
    ///   - overrides: Its overrides.
    public init(master: Component?, overrides: [Component]) {
        self.master = master
        self.overrides = overrides
        self.uid = (master ?? overrides.first)?.property(named: "UID")?.value.trimmingSpaces()
    }

    /// Groups the `VEVENT`s of a resource into series: each master with the overrides
    /// sharing its `UID`, and a series without master for overrides whose master is absent.
    /// - Parameter resource: The resource.
    /// - Returns: The series, in document order of their first component.
    public static func series(in resource: ICalendarResource) -> [EventSeries] {
        let events = resource.allComponents(named: "VEVENT")
        func uid(_ component: Component) -> String? { component.property(named: "UID")?.value.trimmingSpaces() }
        let masters = events.filter { $0.property(named: "RECURRENCE-ID") == nil }
        let overrides = events.filter { $0.property(named: "RECURRENCE-ID") != nil }
        var result = masters.map { master in
            EventSeries(master: master, overrides: overrides.filter { uid($0) == uid(master) })
        }
        let masterUIDs = Set(masters.map(uid))
        var orphanGroups: [String?: [Component]] = [:]
        var orphanOrder: [String?] = []
        for override in overrides where !masterUIDs.contains(uid(override)) {
            if orphanGroups[uid(override)] == nil { orphanOrder.append(uid(override)) }
            orphanGroups[uid(override), default: []].append(override)
        }
        result += orphanOrder.map { EventSeries(master: nil, overrides: orphanGroups[$0] ?? []) }
        return result
    }

    // MARK: Queries

    /// Whether any occurrence (master instances and overrides) starts or ends strictly after `instant`.
    ///
    /// Iterates lazily and stops at the first match. A rule without `COUNT`
    /// starts close to `instant` instead of at `DTSTART`, so an unbounded rule
    /// with future occurrences answers at once. If a rule's iteration budget
    /// runs out before the question is settled, the answer is `true`: the
    /// series may still recur, and treating it as future is the safe choice.
    /// - Parameters:
    ///   - instant: The instant to compare with.
    ///   - boundary: Compare occurrence ends (default) or starts.
    ///   - timeZones: Resolves `TZID`s; build it from the resource.
    ///   - limits: The iteration budget.
    /// - Returns: Whether such an occurrence exists.
    /// - Throws: ``ICalendarError`` for malformed dates, durations, rules or unknown time zones.
    public func hasOccurrence(after instant: Date, measuring boundary: OccurrenceBoundary = .end,
                              timeZones: TimeZoneResolver, limits: OccurrenceLimits = .defaults) throws(ICalendarError) -> Bool {
        let threshold = instant.timeIntervalSince1970
        var expansion = try Expansion(series: self, timeZones: timeZones, limits: limits)
        for override in expansion.overrideOccurrences where !override.isCancelled {
            let value = boundary == .start ? override.occurrence.start : override.occurrence.end
            if value.timeIntervalSince1970 > threshold { return true }
        }
        guard expansion.hasMaster else { return false }
        let margin = max(0, expansion.approximateDuration) + 2 * 86_400
        expansion.skip(toward: LocalDateTime(secondsSinceEpochAsUTC: Int(threshold.rounded(.down)) - margin))
        while let instance = try expansion.nextMasterInstance() {
            if expansion.overriddenInstants.contains(instance.instant) { continue }
            let value = boundary == .start ? instance.instant : try expansion.end(of: instance)
            if TimeInterval(value) > threshold { return true }
        }
        return expansion.reachedIterationLimit
    }

    /// The first occurrences in recurrence order (overrides in place of the instances they replace,
    /// cancelled ones left out, overrides matching no instance at the end).
    /// - Parameters:
    ///   - maximumCount: The most occurrences to return.
    ///   - timeZones: Resolves `TZID`s; build it from the resource.
    ///   - limits: The iteration budget.
    /// - Returns: Up to `maximumCount` occurrences.
    /// - Throws: ``ICalendarError`` for malformed dates, durations, rules or unknown time zones.
    public func occurrences(maximumCount: Int, timeZones: TimeZoneResolver,
                            limits: OccurrenceLimits = .defaults) throws(ICalendarError) -> [EventOccurrence] {
        var expansion = try Expansion(series: self, timeZones: timeZones, limits: limits)
        var overridesByID: [Int: Expansion.OverrideOccurrence] = [:]
        for override in expansion.overrideOccurrences { overridesByID[override.recurrenceInstant] = override }
        var result: [EventOccurrence] = []
        var used = Set<Int>()
        while result.count < maximumCount, let instance = try expansion.nextMasterInstance() {
            if let override = overridesByID[instance.instant] {
                used.insert(instance.instant)
                if !override.isCancelled { result.append(override.occurrence) }
                continue
            }
            let start = Date(timeIntervalSince1970: TimeInterval(instance.instant))
            let end = Date(timeIntervalSince1970: TimeInterval(try expansion.end(of: instance)))
            result.append(EventOccurrence(start: start, end: end, recurrenceID: start, isOverride: false))
        }
        for override in expansion.overrideOccurrences where result.count < maximumCount {
            if !used.contains(override.recurrenceInstant), !override.isCancelled { result.append(override.occurrence) }
        }
        return result
    }
}

extension ICalendarResource {
    /// Whether any event in the resource has an occurrence that ends (or starts) strictly after `instant`.
    ///
    /// See ``EventSeries/hasOccurrence(after:measuring:timeZones:limits:)``; time zones come from the
    /// resource's `VTIMEZONE`s, then Foundation's Olson zones.
    /// - Parameters:
    ///   - instant: The instant to compare with.
    ///   - boundary: Compare occurrence ends (default) or starts.
    ///   - limits: The iteration budget.
    /// - Throws: ``ICalendarError`` for malformed dates, durations, rules or unknown time zones.
    public func hasEventOccurrence(after instant: Date, measuring boundary: OccurrenceBoundary = .end,
                                   limits: OccurrenceLimits = .defaults) throws(ICalendarError) -> Bool {
        let timeZones = TimeZoneResolver(resource: self)
        for series in EventSeries.series(in: self) {
            if try series.hasOccurrence(after: instant, measuring: boundary, timeZones: timeZones, limits: limits) { return true }
        }
        return false
    }
}

/// The working state of one series' expansion.
private struct Expansion {
    struct Instance {
        var instant: Int
        /// The wall-clock start in DTSTART's frame, when known (not for RDATEs in another zone).
        var local: LocalDateTime?
    }

    struct OverrideOccurrence {
        var occurrence: EventOccurrence
        var recurrenceInstant: Int
        var isCancelled: Bool
    }

    /// How to compute an instance's end from its start.
    enum DurationRule {
        /// End = start + wall-clock seconds, read in `reference` (DTEND in DTSTART's frame).
        case wallClock(seconds: Int, reference: TimeReference)
        /// Nominal days on the wall clock, then exact seconds (DURATION, or all-day default).
        case nominal(ICalendarDuration, reference: TimeReference)
        /// A fixed number of seconds.
        case exact(Int)
    }

    let timeZones: TimeZoneResolver
    var overrideOccurrences: [OverrideOccurrence] = []
    var overriddenInstants = Set<Int>()
    var hasMaster = false
    private var startReference: TimeReference = .floating
    private var startIsDate = false
    private var durationRule: DurationRule = .exact(0)
    private(set) var approximateDuration = 0

    private var pendingStart: Instance?
    private var rules: [RecurrenceIterator] = []
    private var ruleHeads: [Instance?] = []
    private var ruleHeadsLoaded = false
    private var extraDates: [Instance] = []
    private var extraIndex = 0
    private var excluded = Set<Int>()
    private var excludedDays = Set<Int>()
    private var lastEmitted: Int?

    init(series: EventSeries, timeZones: TimeZoneResolver, limits: OccurrenceLimits) throws(ICalendarError) {
        self.timeZones = timeZones
        var masterDuration: DurationRule?
        if let master = series.master, let startProperty = master.property(named: "DTSTART") {
            hasMaster = true
            let start = try startProperty.dateTimeValue()
            startReference = start.isDate ? .floating : start.reference
            startIsDate = start.isDate
            let startInstant = try timeZones.instant(for: start)
            pendingStart = Instance(instant: startInstant, local: start.local)
            durationRule = try Self.durationRule(of: master, start: start, startInstant: startInstant, timeZones: timeZones)
            masterDuration = durationRule
            approximateDuration = try Self.end(start.local, startInstant, durationRule, timeZones) - startInstant

            let reference = startReference
            for property in master.properties(named: "RRULE") {
                let rule: RecurrenceRule
                do throws(ICalendarError) { rule = try RecurrenceRule(parsing: property.value) } catch {
                    throw ICalendarError(code: error.code, message: error.message, lineNumber: property.lineNumber)
                }
                let until = rule.until
                let untilInstant = try until.map { value throws(ICalendarError) in try timeZones.instant(for: value) }
                let isAfterUntil: (LocalDateTime) -> Bool = { candidate in
                    guard let until, let untilInstant else { return false }
                    if until.isDate { return candidate.dayNumber > until.local.dayNumber }
                    switch reference {
                    case .utc, .floating: return candidate > until.local
                    case .zone: return ((try? timeZones.instant(for: candidate, reference: reference)) ?? candidate.secondsSinceEpochAsUTC) > untilInstant
                    }
                }
                rules.append(RecurrenceIterator(rule: rule, start: start.local, maximumIterations: limits.maximumIterations, isAfterUntil: isAfterUntil))
            }
            for property in master.properties(named: "RDATE") {
                for value in try property.dateTimeValues() {
                    let sameFrame = value.isDate == start.isDate && value.reference == start.reference
                    extraDates.append(Instance(instant: try timeZones.instant(for: value), local: sameFrame ? value.local : nil))
                }
            }
            extraDates.sort { $0.instant < $1.instant }
            for property in master.properties(named: "EXDATE") {
                for value in try property.dateTimeValues() {
                    if value.isDate && !start.isDate {
                        excludedDays.insert(value.local.dayNumber)
                    } else {
                        excluded.insert(try timeZones.instant(for: value))
                    }
                }
            }
        }
        for override in series.overrides {
            guard let recurrenceProperty = override.property(named: "RECURRENCE-ID") else { continue }
            let recurrenceInstant = try timeZones.instant(for: recurrenceProperty.dateTimeValue())
            overriddenInstants.insert(recurrenceInstant)
            let start: DateTimeValue
            if let startProperty = override.property(named: "DTSTART") {
                start = try startProperty.dateTimeValue()
            } else {
                start = try recurrenceProperty.dateTimeValue()
            }
            let startInstant = try timeZones.instant(for: start)
            var rule = try Self.durationRule(of: override, start: start, startInstant: startInstant, timeZones: timeZones)
            if override.property(named: "DTEND") == nil, override.property(named: "DURATION") == nil, let masterDuration {
                rule = masterDuration
            }
            let endInstant = try Self.end(start.local, startInstant, rule, timeZones)
            let cancelled = override.property(named: "STATUS")?.value.trimmingSpaces().caseInsensitiveEquals("CANCELLED") ?? false
            overrideOccurrences.append(OverrideOccurrence(
                occurrence: EventOccurrence(start: Date(timeIntervalSince1970: TimeInterval(startInstant)),
                                            end: Date(timeIntervalSince1970: TimeInterval(endInstant)),
                                            recurrenceID: Date(timeIntervalSince1970: TimeInterval(recurrenceInstant)),
                                            isOverride: true),
                recurrenceInstant: recurrenceInstant, isCancelled: cancelled))
        }
    }

    var reachedIterationLimit: Bool { rules.contains { $0.reachedIterationLimit } }

    /// Lets rules without COUNT start near `target` (wall-clock) instead of at DTSTART.
    mutating func skip(toward target: LocalDateTime) {
        precondition(!ruleHeadsLoaded, "skip before iterating")
        for index in rules.indices { rules[index].skip(toward: target) }
    }

    /// The next instance of the master's recurrence set, in order of start, without duplicates or EXDATEs.
    mutating func nextMasterInstance() throws(ICalendarError) -> Instance? {
        if !ruleHeadsLoaded {
            ruleHeads = []
            for index in rules.indices { ruleHeads.append(try advance(rule: index)) }
            ruleHeadsLoaded = true
        }
        while true {
            // Pick the earliest among DTSTART, each rule's head and the next RDATE.
            var best: Instance?
            var source = -3
            if let pendingStart { best = pendingStart; source = -1 }
            for (index, head) in ruleHeads.enumerated() {
                if let head, best == nil || head.instant < best!.instant { best = head; source = index }
            }
            if extraIndex < extraDates.count, best == nil || extraDates[extraIndex].instant < best!.instant {
                best = extraDates[extraIndex]
                source = -2
            }
            guard let instance = best else { return nil }
            switch source {
            case -1: pendingStart = nil
            case -2: extraIndex += 1
            default: ruleHeads[source] = try advance(rule: source)
            }
            if instance.instant == lastEmitted { continue }
            if excluded.contains(instance.instant) { continue }
            if let local = instance.local, !excludedDays.isEmpty, excludedDays.contains(local.dayNumber) { continue }
            lastEmitted = instance.instant
            return instance
        }
    }

    private mutating func advance(rule index: Int) throws(ICalendarError) -> Instance? {
        guard let local = rules[index].next() else { return nil }
        return Instance(instant: try timeZones.instant(for: local, reference: startReference), local: local)
    }

    /// The end instant of an instance.
    func end(of instance: Instance) throws(ICalendarError) -> Int {
        guard let local = instance.local else { return instance.instant + approximateDuration }
        return try Self.end(local, instance.instant, durationRule, timeZones)
    }

    static func end(_ local: LocalDateTime, _ startInstant: Int, _ rule: DurationRule, _ timeZones: TimeZoneResolver) throws(ICalendarError) -> Int {
        switch rule {
        case .exact(let seconds):
            return startInstant + seconds
        case .wallClock(let seconds, let reference):
            return try timeZones.instant(for: local.adding(seconds: seconds), reference: reference)
        case .nominal(let duration, let reference):
            guard duration.days != 0 else { return startInstant + duration.seconds }
            return try timeZones.instant(for: local.adding(seconds: duration.days * 86_400), reference: reference) + duration.seconds
        }
    }

    static func durationRule(of component: Component, start: DateTimeValue, startInstant: Int,
                             timeZones: TimeZoneResolver) throws(ICalendarError) -> DurationRule {
        if let endProperty = component.property(named: "DTEND") {
            let end = try endProperty.dateTimeValue()
            if end.isDate == start.isDate, end.reference == start.reference {
                return .wallClock(seconds: end.local.secondsSinceEpochAsUTC - start.local.secondsSinceEpochAsUTC,
                                  reference: start.isDate ? .floating : start.reference)
            }
            return .exact(try timeZones.instant(for: end) - startInstant)
        }
        if let durationProperty = component.property(named: "DURATION") {
            do throws(ICalendarError) {
                return .nominal(try ICalendarDuration(parsing: durationProperty.value), reference: start.isDate ? .floating : start.reference)
            } catch {
                throw ICalendarError(code: error.code, message: error.message, lineNumber: durationProperty.lineNumber)
            }
        }
        return start.isDate ? .nominal(ICalendarDuration(days: 1), reference: .floating) : .exact(0)
    }
}
