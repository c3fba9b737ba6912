import LlamaEngine
import Prometheus

/// Hearth's Prometheus metrics (`--metrics`, served at `GET /metrics`): requests by route and
/// status, tokens, latency histograms, and the engine's load, read when scraped.
///
/// One registry per server, never the process-wide `MetricsSystem`: tests start several
/// servers in one process, and nothing else in Hearth reports metrics.
public final class ServerMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let promptTokens: Counter
    private let generatedTokens: Counter
    private let cacheHits: Counter
    private let cachedTokens: Counter
    private let draftedTokens: Counter
    private let acceptedDraftTokens: Counter
    private let timeToFirstToken: DurationHistogram
    private let interToken: DurationHistogram
    private let queueDepth: Gauge
    private let busySlots: Gauge
    private let slots: Gauge
    private let kvCellsUsed: Gauge
    private let kvCells: Gauge

    public init() {
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "hearth", metricName: metric, unitName: unit, helpText: help)
        }
        promptTokens = registry.makeCounter(descriptor: name("prompt_tokens", "total", "Prompt tokens of finished generations (each prompt once)."))
        generatedTokens = registry.makeCounter(descriptor: name("generated_tokens", "total", "Tokens generated."))
        cacheHits = registry.makeCounter(descriptor: name("prompt_cache_hits", "total", "Generations whose prompt reused cached KV."))
        cachedTokens = registry.makeCounter(descriptor: name("prompt_cached_tokens", "total", "Prompt tokens reused from the KV cache."))
        draftedTokens = registry.makeCounter(descriptor: name("speculative_drafted_tokens", "total", "Tokens drafted for speculative decoding."))
        acceptedDraftTokens = registry.makeCounter(
            descriptor: name("speculative_accepted_tokens", "total", "Drafted tokens the model accepted (each saved a decode step).")
        )
        let latency: [Duration] = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60].map { .milliseconds(Int($0 * 1000)) }
        timeToFirstToken = registry.makeDurationHistogram(
            descriptor: name("time_to_first_token", "seconds", "From the request's admission to its first text, queue wait included."),
            buckets: latency
        )
        interToken = registry.makeDurationHistogram(
            descriptor: name("inter_token", "seconds", "Time between generated tokens (each request's mean gap, once per token)."),
            buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1].map { .milliseconds(Int($0 * 1000)) }
        )
        queueDepth = registry.makeGauge(descriptor: name("queue_depth", "", "Generations waiting for a free slot."))
        busySlots = registry.makeGauge(descriptor: name("busy_slots", "", "Sequence slots generating or reading a prompt."))
        slots = registry.makeGauge(descriptor: name("slots", "", "Sequence slots in all (--parallel)."))
        kvCellsUsed = registry.makeGauge(descriptor: name("kv_cells_used", "", "KV cache cells holding a token."))
        kvCells = registry.makeGauge(descriptor: name("kv_cells", "", "KV cache cells in all."))
    }

    /// Counts one answered request.
    func countRequest(route: String, method: String, status: Int) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "hearth",
                metricName: "http_requests",
                unitName: "total",
                helpText: "HTTP requests answered, by route and status."
            ),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
    }

    /// Records the wait for a generation's first text.
    func observeFirstToken(after wait: Duration) { timeToFirstToken.record(wait) }

    /// Records a finished generation; `countsPrompt` is false for the further choices of a prompt.
    func observe(_ summary: GenerationSummary, countsPrompt: Bool) {
        if countsPrompt {
            promptTokens.increment(by: Int64(summary.promptTokens))
            if summary.cachedPromptTokens > 0 {
                cacheHits.increment()
                cachedTokens.increment(by: Int64(summary.cachedPromptTokens))
            }
        }
        generatedTokens.increment(by: Int64(summary.completionTokens))
        if let speculation = summary.speculation {
            draftedTokens.increment(by: Int64(speculation.drafted))
            acceptedDraftTokens.increment(by: Int64(speculation.accepted))
        }
        let gaps = summary.completionTokens - 1
        guard gaps > 0, summary.generationSeconds > 0 else { return }
        let mean = Duration.seconds(summary.generationSeconds / Double(gaps))
        for _ in 0..<gaps { interToken.record(mean) }
    }

    /// The metrics in Prometheus' text format, the engine's load read now.
    func exposition(engine: EngineStatistics) -> String {
        queueDepth.set(Int64(engine.waitingJobs))
        busySlots.set(Int64(engine.busySlots))
        slots.set(Int64(engine.slots))
        kvCellsUsed.set(Int64(engine.kvCellsUsed))
        kvCells.set(Int64(engine.kvCells))
        return registry.emitToString()
    }
}
