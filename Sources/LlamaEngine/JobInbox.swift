import Dispatch
import Foundation
import Logging
import Synchronization

/// The thread-safe side of the decode loop: a FIFO inbox of jobs, the admission limit, and the
/// signal that wakes the loop.
///
/// The loop itself (``DecodeLoop``) runs on a dedicated thread, never on Swift's cooperative
/// pool or a NIO event loop, because `llama_decode` blocks for milliseconds at a time. Requests
/// reach it only through here.
final class JobInbox: Sendable {
    private struct State {
        var waiting: [GenerationJob] = []
        var stopping = false
        /// Set by ``drain()``: no new jobs are taken.
        var draining = false
        /// Set by ``stopAll()``: the loop ends its running jobs at its next tick.
        var stopRunning = false
    }

    private let inbox = Mutex(State())
    private let running = Atomic<Int>(0)
    private let evaluated = Atomic<Int>(0)
    private let kvCellsUsed = Atomic<Int>(0)
    private let slotCount: Int
    private let maxQueue: Int
    private let wakeSignal = DispatchSemaphore(value: 0)
    /// Signalled by the loop's thread when it exits.
    let exited = DispatchSemaphore(value: 0)
    /// Signalled whenever no job is left running or waiting (``activeJobs`` reached 0).
    let becameIdle = ChangeSignal()

    init(slotCount: Int, maxQueue: Int) {
        self.slotCount = slotCount
        self.maxQueue = maxQueue
    }

    /// Queues a job; it starts as soon as a sequence slot is free.
    /// - Throws: ``LlamaError/queueFull(limit:)`` when every slot is busy and `maxQueue` jobs
    ///   already wait; ``LlamaError/engineStopped`` after shutdown.
    func submit(_ job: GenerationJob) throws(LlamaError) {
        let freeSlots = max(0, slotCount - running.load(ordering: .relaxed))
        let refusal: LlamaError? = inbox.withLock { inbox in
            if inbox.stopping || inbox.draining { return .engineStopped }
            // Jobs in the inbox that free slots will take at the next tick are not waiting.
            if inbox.waiting.count >= maxQueue + freeSlots { return .queueFull(limit: maxQueue) }
            inbox.waiting.append(job)
            return nil
        }
        if let refusal { throw refusal }
        wakeSignal.signal()
    }

    /// Withdraws a job whose consumer went away: a waiting job leaves the queue at once; a
    /// running one is flagged and its slot is freed at the loop's next tick.
    func cancel(_ job: GenerationJob) {
        job.cancel()
        let wasWaiting = inbox.withLock { inbox in
            guard let index = inbox.waiting.firstIndex(where: { $0 === job }) else { return false }
            inbox.waiting.remove(at: index)
            return true
        }
        if wasWaiting {
            for member in job.group { member.continuation.finish() }
            signalIfIdle()
        } else {
            wakeSignal.signal()
        }
    }

    /// Jobs on a sequence slot plus jobs waiting for one.
    var activeJobs: Int {
        running.load(ordering: .relaxed) + inbox.withLock { $0.waiting.count }
    }

    /// Wakes ``becameIdle``'s waiters when no job is left.
    private func signalIfIdle() {
        if activeJobs == 0 { becameIdle.signal() }
    }

    /// Ends every job now on a slot or waiting for one with reason `.stop`, as if each had met a
    /// stop string. Jobs submitted afterwards run normally.
    func stopAll() {
        let waiting = inbox.withLock { inbox in
            inbox.stopRunning = true
            defer { inbox.waiting = [] }
            return inbox.waiting
        }
        for job in waiting.flatMap(\.group) { DecodeLoop.end(job, reason: .stop, summary: nil) }
        wakeSignal.signal()
        signalIfIdle()
    }

    /// Begins a graceful shutdown: new jobs are refused with ``LlamaError/engineStopped``,
    /// waiting jobs fail with it, and running jobs end at the next tick with reason `.stop`
    /// (their streams get their held-back text and a summary). The loop keeps running until
    /// ``shutdown()``.
    func drain() {
        let waiting = inbox.withLock { inbox in
            inbox.draining = true
            inbox.stopRunning = true
            defer { inbox.waiting = [] }
            return inbox.waiting
        }
        for job in waiting.flatMap(\.group) { job.continuation.finish(throwing: LlamaError.engineStopped) }
        wakeSignal.signal()
        signalIfIdle()
    }

    /// Stops the loop: running and waiting jobs end as cancelled; returns when the thread exits.
    func shutdown() {
        let first = inbox.withLock { inbox in
            defer { inbox.stopping = true }
            return !inbox.stopping
        }
        guard first else { return }
        wakeSignal.signal()
        exited.wait()
        // Nothing runs any more, whatever was last published.
        becameIdle.signal()
    }

    // MARK: Called by the loop's thread

    /// Takes waiting jobs in arrival order while their groups fit in `limit` slots; cancelled
    /// waiting jobs are removed and returned separately (with their followers) so the loop can
    /// end their streams.
    /// Whether ``drain()`` began a shutdown (running jobs it stops are interrupted, not done).
    var isDraining: Bool { inbox.withLock { $0.draining } }

    func takeJobs(limit: Int) -> (admitted: [GenerationJob], cancelled: [GenerationJob], stopping: Bool, stopRunning: Bool) {
        inbox.withLock { inbox in
            let stopRunning = inbox.stopRunning
            inbox.stopRunning = false
            let cancelled = inbox.waiting.filter(\.isCancelled).flatMap(\.group)
            if !cancelled.isEmpty { inbox.waiting.removeAll(where: \.isCancelled) }
            if inbox.stopping {
                let all = inbox.waiting.flatMap(\.group)
                inbox.waiting = []
                return ([], cancelled + all, true, stopRunning)
            }
            var free = limit
            var count = 0
            while count < inbox.waiting.count, inbox.waiting[count].group.count <= free {
                free -= inbox.waiting[count].group.count
                count += 1
            }
            let admitted = Array(inbox.waiting.prefix(count))
            inbox.waiting.removeFirst(count)
            return (admitted, cancelled, false, stopRunning)
        }
    }

    /// Counts prompt tokens run through `llama_decode` (read by ``evaluatedPromptTokens``).
    func countEvaluated(_ tokens: Int) { evaluated.add(tokens, ordering: .relaxed) }

    /// Prompt tokens evaluated since the loop started; cached prefixes and prompts shared by
    /// several choices are not evaluated again.
    var evaluatedPromptTokens: Int { evaluated.load(ordering: .relaxed) }

    /// Publishes how many jobs hold a slot (read by ``activeJobs``) and how many KV cells the
    /// slots fill.
    func publish(running count: Int, kvCellsUsed cells: Int) {
        let previous = running.exchange(count, ordering: .relaxed)
        kvCellsUsed.store(cells, ordering: .relaxed)
        if count == 0 && previous != 0 { signalIfIdle() }
    }

    /// The load as last published, with `slots` and `kvCells` the engine's sizes.
    func statistics(slots: Int, kvCells: Int) -> EngineStatistics {
        EngineStatistics(
            busySlots: running.load(ordering: .relaxed),
            slots: slots,
            waitingJobs: inbox.withLock { $0.waiting.count },
            kvCellsUsed: kvCellsUsed.load(ordering: .relaxed),
            kvCells: kvCells,
            evaluatedPromptTokens: evaluated.load(ordering: .relaxed)
        )
    }

    /// Blocks the loop's thread until something is submitted, cancelled or stopped.
    func waitForWork() { wakeSignal.wait() }
}
