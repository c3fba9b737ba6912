import Synchronization

/// A generation request on its way through the decode loop: the tokenized prompt, the stream
/// continuation its consumer reads, and a cancellation flag the consumer's side may set from any
/// thread.
///
/// Several choices of one prompt (OpenAI's `n`) travel as one job, the leader, with the others as
/// its ``followers``: they are admitted together, the leader evaluates the prompt and the
/// followers copy its KV cache.
final class GenerationJob: Sendable {
    typealias Continuation = AsyncThrowingStream<GenerationEvent, any Error>.Continuation

    let request: GenerationRequest
    let promptTokens: [Int32]
    /// The predicted output's tokens (empty without one).
    let predictionTokens: [Int32]
    let continuation: Continuation
    /// Further choices of the same prompt; empty for a single generation.
    let followers: [GenerationJob]
    private let cancelled = Atomic<Bool>(false)

    init(
        request: GenerationRequest,
        promptTokens: [Int32],
        predictionTokens: [Int32] = [],
        continuation: Continuation,
        followers: [GenerationJob] = []
    ) {
        self.request = request
        self.promptTokens = promptTokens
        self.predictionTokens = predictionTokens
        self.continuation = continuation
        self.followers = followers
    }

    /// The leader and its followers: the sequence slots the job needs at once.
    var group: [GenerationJob] { [self] + followers }

    /// Asks the decode loop to drop this job at its next tick.
    func cancel() { cancelled.store(true, ordering: .relaxed) }

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}
