import MMSCore
import ServiceLifecycle

/// Runs the migration engine's workers under swift-service-lifecycle; a graceful shutdown cancels them
/// (a migration cut off mid-way keeps its lease records and is resumed by the next start).
struct EngineService: Service {
    let engine: MigrationEngine

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await self.engine.run()
        }
    }
}
