import LlamaEngine
import Logging
import ServiceLifecycle

/// The models' engines as a service of the application's service group. While running it
/// unloads models idle past their TTL (`--model-ttl`). On graceful shutdown (SIGTERM, SIGINT)
/// it first drains for up to `drainPeriod` (`--drain-seconds`, 0 by default): `/health` answers
/// 503 and new requests get 503, while running and queued generations go on until they finish.
/// Then it drains every loaded model: generations still running end at once with their finish
/// reason (a stream gets its last chunk and `[DONE]`), waiting and new requests get 503.
/// Registered after the HTTP server, it shuts down first, so the server serves until then and
/// afterwards only has short responses to finish.
public struct EngineService: Service {
    let models: ModelRegistry
    let ttlCheck: Duration?
    let drainPeriod: Duration
    let logger: Logger

    /// - Parameters:
    ///   - ttlCheck: how often idle models are checked against their TTL (`--model-ttl`, or an
    ///     Ollama request's `keep_alive`); nil: never.
    ///   - drainPeriod: how long running generations may go on after SIGTERM.
    public init(models: ModelRegistry, ttlCheck: Duration? = nil, drainPeriod: Duration = .zero, logger: Logger) {
        self.models = models
        self.ttlCheck = ttlCheck
        self.drainPeriod = drainPeriod
        self.logger = logger
    }

    public func run() async throws {
        let expiry = ttlCheck.map { period in
            Task {
                while !Task.isCancelled {
                    try await Task.sleep(for: period)
                    await models.unloadExpired()
                }
            }
        }
        // Returns on graceful shutdown; throws if the group is cancelled instead.
        try? await gracefulShutdown()
        expiry?.cancel()
        if drainPeriod > .zero {
            await models.beginDraining()
            logger.info("Shutting down: refusing new requests while running generations finish", metadata: ["drain.seconds": "\(drainPeriod)"])
            await models.waitUntilIdle(until: .now + drainPeriod)
        }
        let loaded = await models.loadedIDs
        logger.info("Shutting down: ending running generations", metadata: ["models.loaded": "\(loaded)"])
        await models.drainAll()
    }
}
