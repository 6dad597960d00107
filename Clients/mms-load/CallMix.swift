import Foundation
import MMSClient

/// One kind of call the load generator makes.
enum CallKind: String, CaseIterable, Codable, Sendable {
    /// `mms.v1.Health/Check`.
    case health
    /// `GetMigrationStatus` for one user (by identity).
    case status
    /// `StartMeetingMigration` for one user (durable; coalesces with the user's queued one).
    case start
    /// `GetMigrationStatus` with `summary_only`: the count of users per state.
    case summary
    /// `GetTenantMigrationConfiguration`.
    case config
    /// `GetDialInConferencingTenantSettings`.
    case dialin

    /// Whether the call needs a tenant (and so the setup step).
    var needsTenant: Bool { self != .health }
}

/// Which calls to make, in which proportions: `status=70,start=10,summary=10,config=5,health=5`.
///
/// The mix is laid out once as a fixed cycle of kinds, so every worker walks the same sequence
/// without a random number per call and the proportions hold exactly over each cycle.
struct CallMix: Sendable, CustomStringConvertible {
    /// Each kind with its weight, in the order given.
    let weights: [(kind: CallKind, weight: Int)]
    /// The kinds in call order: each kind appears `weight` times, interleaved.
    let cycle: [CallKind]

    /// Parses `kind=weight,...`; a kind without `=weight` weighs 1.
    /// - Throws: `MixError` for an unknown kind, a weight that is not a positive integer, or an empty mix.
    init(parsing text: String) throws(MixError) {
        var weights: [(kind: CallKind, weight: Int)] = []
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let kind = CallKind(rawValue: pieces[0].lowercased()) else {
                throw MixError("unknown call '\(pieces[0])' (known: \(CallKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let weight = pieces.count == 2 ? Int(pieces[1]) : 1
            guard let weight, weight > 0, weight <= 10_000 else { throw MixError("the weight of '\(pieces[0])' must be an integer from 1 to 10000") }
            guard !weights.contains(where: { $0.kind == kind }) else { throw MixError("'\(kind.rawValue)' is given twice") }
            weights.append((kind, weight))
        }
        guard !weights.isEmpty else { throw MixError("the mix names no call") }
        self.weights = weights
        // Interleave by smallest next due position so e.g. 2:1 gives a a b, not a b a in bursts.
        let total = weights.reduce(0) { $0 + $1.weight }
        var placed = weights.map { _ in 0 }
        var cycle: [CallKind] = []
        cycle.reserveCapacity(total)
        for _ in 0..<total {
            var best = 0
            var bestDue = Double.infinity
            for (index, entry) in weights.enumerated() where placed[index] < entry.weight {
                let due = (Double(placed[index]) + 0.5) / Double(entry.weight)
                if due < bestDue { best = index; bestDue = due }
            }
            placed[best] += 1
            cycle.append(weights[best].kind)
        }
        self.cycle = cycle
    }

    /// Whether any call of the mix needs a tenant.
    var needsTenant: Bool { weights.contains { $0.kind.needsTenant } }

    var description: String { weights.map { "\($0.kind.rawValue)=\($0.weight)" }.joined(separator: ",") }
}

/// A mix that cannot be parsed.
struct MixError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Makes one call of a kind, with the data the setup step created.
struct CallMaker: Sendable {
    /// The principal names of the tenant's users; calls about one user walk through them.
    let identities: [String]

    /// Makes call number `sequence` of `kind` on `client`.
    /// - Throws: the call's `RPCError`.
    func call(_ kind: CallKind, sequence: Int, on client: MMSClient) async throws(RPCError) {
        switch kind {
        case .health:
            _ = try await client.health()
        case .status:
            _ = try await client.migrationStatus(GetMigrationStatusRequest(identity: identity(sequence)))
        case .start:
            _ = try await client.startMeetingMigration(
                StartMeetingMigrationRequest(identity: identity(sequence), sourceMeetingType: .all, targetMeetingType: .current))
        case .summary:
            _ = try await client.migrationStatus(GetMigrationStatusRequest(summaryOnly: true))
        case .config:
            _ = try await client.call(TenantConfigurationServiceMethods.getTenantMigrationConfiguration, GetTenantMigrationConfigurationRequest())
        case .dialin:
            _ = try await client.call(
                TenantConfigurationServiceMethods.getDialInConferencingTenantSettings, GetDialInConferencingTenantSettingsRequest())
        }
    }

    private func identity(_ sequence: Int) -> String {
        identities.isEmpty ? "" : identities[sequence % identities.count]
    }
}
