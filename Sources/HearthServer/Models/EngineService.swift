import LlamaEngine
import Logging
import ServiceLifecycle

/// The models' engines as a service of the application's service group. While running it
/// unloads models idle past their TTL (`--model-ttl`). On graceful shutdown (SIGTERM, SIGINT)
/// it drains every loaded model: running generations end at once with their finish reason (a
/// stream gets its last chunk and `[DONE]`), waiting and new requests get 503. Registered after
/// the HTTP server, it shuts down first, so the server then only has short responses to finish.
public struct EngineService: Service {
    let models: ModelRegistry
    let ttlCheck: Duration?
    let logger: Logger

    /// - Parameter ttlCheck: how often idle models are checked against their TTL (`--model-ttl`,
    ///   or an Ollama request's `keep_alive`); nil: never.
    public init(models: ModelRegistry, ttlCheck: Duration? = nil, logger: Logger) {
        self.models = models
        self.ttlCheck = ttlCheck
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
        let loaded = await models.loadedIDs
        logger.info("Shutting down: ending running generations", metadata: ["models.loaded": "\(loaded)"])
        await models.drainAll()
    }
}
