/// Paces a stream to at most a number of chunks per second (text-generation-webui's
/// `max_tokens_second`; 0 means no limit). Generation itself is not slowed: text waits in the
/// stream's buffer.
struct StreamThrottle: Sendable {
    private let interval: Duration?
    private var next = ContinuousClock.now

    init(tokensPerSecond: Double?) {
        interval = tokensPerSecond.flatMap { $0 > 0 ? .seconds(1 / $0) : nil }
    }

    /// Waits until the next chunk may go out.
    mutating func wait() async throws {
        guard let interval else { return }
        let now = ContinuousClock.now
        if next > now { try await Task.sleep(until: next) }
        next = max(next, now) + interval
    }
}
