import Foundation
import Jinja
import Synchronization

/// The threads chat prompts are built on: rendering a template and fitting a conversation into
/// the context is synchronous CPU work whose template may be the request's own, so it runs
/// here, never on the pool that serves HTTP, with a deadline and a cancellation flag.
///
/// Two threads (the cores of a small machine): two hostile templates at once cannot starve the
/// server, and each gives up at its deadline. Each thread has a large stack, so that a value a
/// template nested deep (within its step budget) can still be compared and freed.
final class PromptWorkers: Sendable {
    /// How long one prompt may take to build, renders and tokenizing together. A real template
    /// renders a conversation of thousands of messages in milliseconds.
    static let timeBudget: Duration = .seconds(2)
    static let shared = PromptWorkers(threads: 2, stackBytes: 256 << 20)

    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let waiting = DispatchSemaphore(value: 0)

    init(threads: Int, stackBytes: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in
                while true {
                    waiting.wait()
                    jobs.withLock { $0.removeFirst() }()
                }
            }
            thread.name = "hearth-prompt-\(index)"
            thread.stackSize = stackBytes
            thread.start()
        }
    }

    /// Runs `work` on a prompt thread with limits whose deadline is ``timeBudget`` from when it
    /// starts and which report this task's cancellation.
    func run<T: Sendable>(_ work: @escaping @Sendable (RenderLimits) throws -> T) async throws -> T {
        let cancelled = StopFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                jobs.withLock {
                    $0.append {
                        let limits = RenderLimits(deadline: .now + Self.timeBudget) { cancelled.isSet }
                        continuation.resume(with: Result { try work(limits) })
                    }
                }
                waiting.signal()
            }
        } onCancel: {
            cancelled.set()
        }
    }

}
