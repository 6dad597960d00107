@testable import MMSServer
import MMSCore
import MMSRPC
import Testing

@Suite("Server-side limits")
struct LimitTests {
    @Test("Issue 16: watches past a tenant's limit or the server's are refused, naming the limit, until one ends")
    func watchLimit() throws {
        let limiter = WatchLimiter(limits: WatchLimits(total: 3, perTenant: 2))
        let alpha = TenantID("alpha"), beta = TenantID("beta"), gamma = TenantID("gamma")
        try limiter.enter(alpha)
        try limiter.enter(alpha)
        // Alpha's third is refused, and takes nothing from the others.
        let perTenant = #expect(throws: RPCError.self) { try limiter.enter(alpha) }
        #expect(perTenant?.code == .resourceExhausted && perTenant?.message.contains("this tenant already runs 2 watches") == true)
        #expect(limiter.inUse(alpha) == (2, 2))
        try limiter.enter(beta)
        // The server is full: gamma is refused for the server's limit.
        let total = #expect(throws: RPCError.self) { try limiter.enter(gamma) }
        #expect(total?.message.contains("the server already runs 3 watches") == true)
        limiter.leave(alpha)
        try limiter.enter(gamma)
        #expect(limiter.inUse(gamma) == (3, 1) && limiter.inUse(alpha) == (3, 1))
        for tenant in [alpha, beta, gamma] { limiter.leave(tenant) }
        #expect(limiter.inUse(alpha) == (0, 0))
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
