import Hummingbird
import LlamaEngine
import NIOCore

/// `GET /metrics`: Prometheus' text format, with the engine's load read at the scrape.
struct MetricsController<Context: RequestContext>: Sendable {
    let metrics: ServerMetrics
    let models: ModelRegistry

    func addRoutes(to router: some RouterMethods<Context>) {
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition(engine: await models.statistics())))
            )
        }
    }
}
