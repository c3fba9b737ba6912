import LlamaEngine
import Logging
import ServiceLifecycle

/// The engine as a service of the application's service group. On graceful shutdown
/// (SIGTERM, SIGINT) it drains: running generations end at once with their finish reason (a
/// stream gets its last chunk and `[DONE]`), waiting and new requests get 503. Registered after
/// the HTTP server, it shuts down first, so the server then only has short responses to finish.
public struct EngineService: Service {
    let engine: any GenerationEngine
    let logger: Logger

    public init(engine: any GenerationEngine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    public func run() async throws {
        // Returns on graceful shutdown; throws if the group is cancelled instead.
        try? await gracefulShutdown()
        logger.info("Shutting down: ending running generations", metadata: ["engine.active": "\(engine.activeGenerations)"])
        await engine.drain()
    }
}
