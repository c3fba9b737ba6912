/// Paces a stream to at most a number of chunks per second (text-generation-webui's
/// `max_tokens_second`; 0 means no limit). Generation itself is not slowed: text waits in the
/// stream's buffer.
struct StreamThrottle: Sendable {
    private let interval: Duration?
    private var next = ContinuousClock.now

    init(tokensPerSecond: Double?) {
        // At most an hour between chunks: a tiny rate must not overflow `Duration`.
        interval = tokensPerSecond.flatMap { $0 > 0 ? .seconds(min(1 / $0, 3600)) : nil }
    }

    /// Waits until the next chunk may go out.
    mutating func wait() async throws {
        guard let interval else { return }
        let now = ContinuousClock.now
        if next > now { try await Task.sleep(until: next) }
        next = max(next, now) + interval
    }
}
