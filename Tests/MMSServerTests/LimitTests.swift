@testable import MMSServer
import Testing

@Suite("Server-side limits")
struct LimitTests {
    @Test("watches past the limit are refused until one ends")
    func watchLimit() {
        let limiter = WatchLimiter(limit: 2)
        #expect(limiter.enter())
        #expect(limiter.enter())
        #expect(!limiter.enter())
        limiter.leave()
        #expect(limiter.enter())
        #expect(!limiter.enter())
    }

    @Test("durations on the command line: units, sums, and a clear error otherwise")
    func durations() throws {
        #expect(try DurationText.parse("90m") == .seconds(5400))
        #expect(try DurationText.parse("1h30m") == .seconds(5400))
        #expect(try DurationText.parse("500ms") == .milliseconds(500))
        #expect(try DurationText.parse("0") == .zero)
        #expect(DurationText.format(.seconds(5400)) == "1h30m")
        #expect(DurationText.format(.seconds(25_200)) == "7h")
        #expect(throws: DurationText.Error.self) { try DurationText.parse("90 minutes") }
        #expect(throws: DurationText.Error.self) { try DurationText.parse("m") }
    }
}
