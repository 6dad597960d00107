import Foundation
import Testing
@testable import MMSICalendar

/// Compares the RRULE evaluator with an independent implementation, python-dateutil's `rrule`.
///
/// Requires `python3` with `python-dateutil` (`pip install python-dateutil`); without them the
/// test fails, on purpose, rather than silently skipping. `MMSICAL_PYTHON` names another interpreter.
@Suite("RRULE oracle: python-dateutil")
struct DateutilOracleTests {
    struct GeneratedRule: Codable {
        var dtstart: String
        var rrule: String
        var limit: Int
    }

    /// Reads rules as JSON on stdin, prints the first `limit` occurrences of each as JSON.
    static let script = """
        import json, sys
        from dateutil.rrule import rrulestr
        out = []
        for item in json.load(sys.stdin):
            rule = rrulestr("DTSTART:" + item["dtstart"] + "Z\\nRRULE:" + item["rrule"])
            result = []
            for occurrence in rule:
                if len(result) >= item["limit"]:
                    break
                result.append(occurrence.strftime("%Y%m%dT%H%M%S"))
            out.append(result)
        json.dump(out, sys.stdout)
        """

    /// Generates a seeded batch of rules that always have occurrences (so dateutil cannot search to year 9999).
    static func generateRules(count: Int, seed: UInt64) -> [GeneratedRule] {
        var random = SeededGenerator(seed: seed)
        func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
        func pick<T>(_ values: [T], _ range: ClosedRange<Int>) -> [T] {
            Array(values.shuffled(using: &random).prefix(Int.random(in: range, using: &random)))
        }
        let weekdays = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
        var rules: [GeneratedRule] = []
        for _ in 0..<count {
            let frequency = [("YEARLY", 25), ("MONTHLY", 30), ("WEEKLY", 20), ("DAILY", 17), ("HOURLY", 5), ("MINUTELY", 3)]
                .flatMap { Array(repeating: $0.0, count: $0.1) }.randomElement(using: &random)!
            var start = LocalDateTime(year: Int.random(in: 1995...2030, using: &random), month: Int.random(in: 1...12, using: &random),
                                      day: Int.random(in: 1...28, using: &random), hour: Int.random(in: 0...23, using: &random),
                                      minute: [0, 15, 30, 45].randomElement(using: &random)!, second: chance(10) ? 30 : 0)
            var parts = ["FREQ=\(frequency)"]
            if chance(50) { parts.append("INTERVAL=\(Int.random(in: 1...(frequency == "MINUTELY" ? 90 : 4), using: &random))") }
            var limit = 50
            if chance(35) {
                let count = Int.random(in: 1...60, using: &random)
                parts.append("COUNT=\(count)")
                limit = min(count, 50)
            } else if chance(35) {
                let days = frequency == "HOURLY" || frequency == "MINUTELY" ? Int.random(in: 0...5, using: &random) : Int.random(in: 20...2_000, using: &random)
                parts.append("UNTIL=" + start.adding(seconds: days * 86_400 + 3_600 * Int.random(in: 0...23, using: &random)).description + "Z")
            }
            let yearlyOrMonthly = frequency == "YEARLY" || frequency == "MONTHLY"
            if chance(30) { parts.append("BYMONTH=" + pick(Array(1...12), 1...4).map(String.init).joined(separator: ",")) }
            let useOrdinals = yearlyOrMonthly && chance(30)
            // The smallest number of candidates a non-empty period is sure to have somewhere, so that
            // BYSETPOS never asks for a position that no period has (the rule would never match).
            var daysPerPeriod = 1
            var hasMonthDays = false
            if useOrdinals {
                // Ordinals only, never mixed with plain weekdays (dateutil intersects the two), no BYMONTHDAY.
                parts.append("BYDAY=" + pick(weekdays, 1...3).map { (Int.random(in: 0...1, using: &random) == 0 ? "" : "-") + String(Int.random(in: 1...4, using: &random)) + $0 }.joined(separator: ","))
            } else {
                var plainDays: [String] = []
                if chance(40) {
                    plainDays = pick(weekdays, 1...5)
                    parts.append("BYDAY=" + plainDays.joined(separator: ","))
                }
                if frequency != "HOURLY", frequency != "MINUTELY", chance(30) {
                    hasMonthDays = true
                    parts.append("BYMONTHDAY=" + pick(Array(1...28) + Array(-28...(-1)), 1...4).map(String.init).joined(separator: ","))
                }
                if !hasMonthDays, !plainDays.isEmpty {
                    daysPerPeriod = yearlyOrMonthly ? 4 * plainDays.count : frequency == "WEEKLY" ? plainDays.count : 1
                }
            }
            let dayOrCoarser = ["YEARLY", "MONTHLY", "WEEKLY", "DAILY"].contains(frequency)
            var timesPerDay = 1
            if dayOrCoarser, chance(20) {
                let hours = pick(Array(0...23), 1...3)
                timesPerDay *= hours.count
                parts.append("BYHOUR=" + hours.map(String.init).joined(separator: ","))
            }
            if dayOrCoarser, chance(15) {
                let minutes = pick([0, 10, 15, 30, 45], 1...3)
                timesPerDay *= minutes.count
                parts.append("BYMINUTE=" + minutes.map(String.init).joined(separator: ","))
            }
            let largestPosition = min(3, daysPerPeriod * timesPerDay)
            if chance(25) {
                let positions = Array(1...largestPosition) + Array(1...largestPosition).map { -$0 }
                parts.append("BYSETPOS=" + pick(positions, 1...2).map(String.init).joined(separator: ","))
            }
            let weekStart = chance(50) ? weekdays.randomElement(using: &random)! : "MO"
            if weekStart != "MO" || chance(20) { parts.append("WKST=" + weekStart) }
            if frequency == "WEEKLY", parts.contains(where: { $0.hasPrefix("BYSETPOS") }) {
                // dateutil applies BYSETPOS to the first week cut at DTSTART (dateutil/dateutil#1398); RFC 5545
                // uses the whole week. Start such rules on WKST, where both agree (the RFC reading is tested separately).
                let weekStartIndex = Weekday(code: weekStart)!.rawValue
                let back = (start.weekday.rawValue - weekStartIndex + 7) % 7
                start = start.adding(seconds: -back * 86_400)
            }
            rules.append(GeneratedRule(dtstart: start.description, rrule: parts.shuffled(using: &random).joined(separator: ";"), limit: limit))
        }
        return rules
    }

    /// Runs python3 with stdin/stdout through temporary files (no pipe-buffer deadlock).
    static func runPython(arguments: [String], input: Data) throws -> (status: Int32, output: Data, error: Data) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mmsical-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("in"), outputURL = directory.appendingPathComponent("out"), errorURL = directory.appendingPathComponent("err")
        try input.write(to: inputURL)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [ProcessInfo.processInfo.environment["MMSICAL_PYTHON"] ?? "python3"] + arguments
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try Data(contentsOf: outputURL), try Data(contentsOf: errorURL))
    }

    @Test("the first occurrences of 400 seeded random rules match dateutil.rrule", arguments: [0x4D4D_5349_4341_4C31, 20_261_201] as [UInt64])
    func compareWithDateutil(seed: UInt64) throws {
        let check: (status: Int32, output: Data, error: Data)
        do {
            check = try Self.runPython(arguments: ["-c", "import dateutil.rrule"], input: Data())
        } catch {
            Issue.record("python3 with python-dateutil is required for this test, but python3 could not be started: \(error)")
            return
        }
        guard check.status == 0 else {
            Issue.record("""
                python3 with python-dateutil is required for this test (install it with `pip install python-dateutil`): \
                `python3 -c "import dateutil.rrule"` exited with \(check.status): \(String(decoding: check.error, as: UTF8.self))
                """)
            return
        }
        let rules = Self.generateRules(count: 400, seed: seed)
        let result = try Self.runPython(arguments: ["-c", Self.script], input: try JSONEncoder().encode(rules))
        guard result.status == 0 else {
            Issue.record("the dateutil script failed (\(result.status)): \(String(decoding: result.error, as: UTF8.self))")
            return
        }
        let expected = try JSONDecoder().decode([[String]].self, from: result.output)
        try #require(expected.count == rules.count)
        var mismatches = 0
        var compared = 0
        for (rule, oracle) in zip(rules, expected) {
            let parsed = try RecurrenceRule(parsing: rule.rrule)
            let start = try DateTimeValue(parsing: rule.dtstart).local
            var iterator = parsed.occurrences(startingAt: start, maximumIterations: 500_000).makeIterator()
            var ours: [String] = []
            while ours.count < rule.limit, let next = iterator.next() { ours.append(next.description) }
            compared += ours.count
            if ours != oracle {
                mismatches += 1
                if mismatches <= 10 {
                    let firstDifference = zip(ours, oracle).enumerated().first { $0.element.0 != $0.element.1 }
                    Issue.record("""
                        DTSTART:\(rule.dtstart)Z RRULE:\(rule.rrule)
                        ours (\(ours.count)): \(ours.prefix(8))…
                        dateutil (\(oracle.count)): \(oracle.prefix(8))…
                        first difference: \(firstDifference.map { "#\($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "length")
                        """)
                }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(rules.count) rules differ")
        #expect(compared > 5_000, "too few occurrences compared: \(compared)")
    }
}
