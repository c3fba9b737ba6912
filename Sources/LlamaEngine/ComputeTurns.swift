import Foundation

/// Carries out ``TurnPolicy`` for the process: decode loops run their ticks through
/// ``tick(_:)`` and mark themselves busy or idle; side work (embedding passes) runs through
/// ``side(_:)``, which waits for its turn.
public final class ComputeTurns: @unchecked Sendable {
    // Sound: `policy` is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var policy: TurnPolicy

    /// One set of turns for the process: the CPU is shared by every engine and encoder in it.
    public static let shared = ComputeTurns(share: 0.15)

    /// - Parameter share: the fraction of wall time side work may take while generations run.
    public init(share: Double) {
        policy = TurnPolicy(share: share)
    }

    /// How long the next side part should last, and whether generations run (then a part
    /// lasts about one of their ticks, else a quarter second).
    public var sideBudget: (seconds: Double, generating: Bool) {
        condition.withLock { (policy.sideBudget, policy.generating) }
    }

    /// A decode loop has ticks to run (`true`) or waits for work (`false`).
    public func setBusy(_ busy: Bool) {
        condition.withLock {
            if busy { policy.loopBecameBusy() } else { policy.loopBecameIdle() }
            condition.broadcast()
        }
    }

    /// Runs one decode tick once side work does not hold or claim the CPU.
    /// - Parameter decodeOnly: the tick evaluates no prompt chunk (see
    ///   ``TurnPolicy/tickEnded(seconds:decodeOnly:)``).
    /// - Returns: the body's result and how long the body ran (without the wait for the turn).
    public func tick<Result, Failure: Error>(
        decodeOnly: Bool,
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> (result: Result, seconds: Double) {
        condition.withLock {
            while !policy.mayStartTick { condition.wait() }
            policy.tickStarted()
        }
        let started = ContinuousClock.now
        defer {
            let seconds = (ContinuousClock.now - started).inSeconds
            condition.withLock {
                policy.tickEnded(seconds: seconds, decodeOnly: decodeOnly)
                condition.broadcast()
            }
        }
        let result = try body()
        return (result, (ContinuousClock.now - started).inSeconds)
    }

    /// Runs one side pass when it is its turn.
    public func side<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        let started = beginSide()
        defer { endSide(startedAt: started) }
        return try body()
    }

    /// Waits for a side turn and holds it until ``endSide(startedAt:)``: for side work whose
    /// parts are steps of a C call (whisper.cpp's 30-second windows), ended and begun again from
    /// that call's own callbacks.
    /// - Parameter cost: what the part is expected to take, in seconds, when it cannot be cut
    ///   to ``sideBudget`` (it then waits until it has earned that much).
    /// - Returns: when the turn started, for ``endSide(startedAt:)``.
    public func beginSide(cost: Double = 0) -> ContinuousClock.Instant {
        condition.withLock {
            policy.sideArrived(cost: cost)
            while !policy.mayStartSide(cost: cost) { condition.wait() }
            policy.sideStarted(cost: cost)
        }
        return .now
    }

    /// Gives back a side turn ``beginSide()`` took.
    public func endSide(startedAt started: ContinuousClock.Instant) {
        let seconds = (ContinuousClock.now - started).inSeconds
        condition.withLock {
            policy.sideEnded(seconds: seconds)
            condition.broadcast()
        }
    }
}
