import MMSCore
import Testing

@Suite("Migration scope: coalescing merge rules and migration types")
struct MigrationScopeTests {
    @Test("T4: source and target give the documented scope and MigrationType")
    func types() {
        #expect(MigrationScope(source: .all, target: .current).migrationType == .toSameType)
        #expect(MigrationScope(source: .all, target: .teams).migrationType == .allToTeams)
        #expect(MigrationScope(source: .skypeForBusiness, target: .teams).migrationType == .sfbToTeams)
        #expect(MigrationScope(source: .teams, target: .teams).migrationType == .teamsToTeams)
        #expect(MigrationScope(source: .teams, target: .current) == MigrationScope(skypeMeetings: nil, teamsMeetings: true))
    }

    @Test("M1: merging selects every meeting either selects, and Teams wins over keeping the kind")
    func merge() {
        let refreshSkype = MigrationScope(source: .skypeForBusiness, target: .current)
        let teamsOnly = MigrationScope(source: .teams, target: .teams)
        let convert = MigrationScope(source: .skypeForBusiness, target: .teams)
        // Refreshing Skype meetings and refreshing Teams meetings never converts the Skype ones.
        #expect(refreshSkype.merged(with: teamsOnly) == MigrationScope(skypeMeetings: .keepKind, teamsMeetings: true))
        #expect(refreshSkype.merged(with: convert) == convert)
        #expect(convert.merged(with: refreshSkype) == convert)
        #expect(convert.merged(with: teamsOnly).migrationType == .allToTeams)
    }

    @Test("M1: merging is commutative, associative and idempotent over every source/target pair")
    func algebra() {
        let scopes = SourceMeetingType.allCases.flatMap { source in TargetMeetingType.allCases.map { MigrationScope(source: source, target: $0) } }
        for a in scopes {
            #expect(a.merged(with: a) == a)
            for b in scopes {
                #expect(a.merged(with: b) == b.merged(with: a))
                for c in scopes { #expect(a.merged(with: b).merged(with: c) == a.merged(with: b.merged(with: c))) }
            }
        }
    }

    @Test("T4: Current keeps the kind (on-premises Skype goes to Skype online); Teams converts")
    func targets() {
        let current = MigrationScope(source: .all, target: .current)
        #expect(current.targetKind(for: .skypeOnPremises) == .skypeOnline)
        #expect(current.targetKind(for: .skypeOnline) == .skypeOnline)
        #expect(current.targetKind(for: .teams) == .teams)
        let teams = MigrationScope(source: .all, target: .teams)
        #expect(MeetingKind.allCases.allSatisfy { teams.targetKind(for: $0) == .teams })
        #expect(!MigrationScope(source: .teams, target: .current).selects(.skypeOnline))
        #expect(!MigrationScope(source: .skypeForBusiness, target: .current).selects(.teams))
    }

    @Test("M7: the default retry schedule is 9 retries within 24 hours")
    func retrySchedule() {
        let schedule = RetrySchedule.default
        #expect(schedule.maximumRetries == 9)
        #expect(schedule.totalSpan <= .seconds(24 * 3600))
        #expect(schedule.delay(beforeRetry: 10) == nil && schedule.delay(beforeRetry: 1) == .seconds(300))
    }
}
