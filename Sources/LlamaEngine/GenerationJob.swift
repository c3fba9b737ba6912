import Synchronization

/// A generation request on its way through the decode loop: the tokenized prompt, the stream
/// continuation its consumer reads, and a cancellation flag the consumer's side may set from any
/// thread.
final class GenerationJob: Sendable {
    typealias Continuation = AsyncThrowingStream<GenerationEvent, any Error>.Continuation

    let request: GenerationRequest
    let promptTokens: [Int32]
    let continuation: Continuation
    private let cancelled = Atomic<Bool>(false)

    init(request: GenerationRequest, promptTokens: [Int32], continuation: Continuation) {
        self.request = request
        self.promptTokens = promptTokens
        self.continuation = continuation
    }

    /// Asks the decode loop to drop this job at its next tick.
    func cancel() { cancelled.store(true, ordering: .relaxed) }

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}
