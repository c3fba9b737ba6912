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
    public func tick<Result, Failure: Error>(decodeOnly: Bool, _ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        condition.withLock {
            while !policy.mayStartTick { condition.wait() }
            policy.tickStarted()
        }
        let started = ContinuousClock.now
        defer {
            let seconds = Self.seconds(since: started)
            condition.withLock {
                policy.tickEnded(seconds: seconds, decodeOnly: decodeOnly)
                condition.broadcast()
            }
        }
        return try body()
    }

    /// Runs one side pass when it is its turn.
    public func side<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        condition.withLock {
            policy.sideArrived()
            while !policy.mayStartSide { condition.wait() }
            policy.sideStarted()
        }
        let started = ContinuousClock.now
        defer {
            let seconds = Self.seconds(since: started)
            condition.withLock {
                policy.sideEnded(seconds: seconds)
                condition.broadcast()
            }
        }
        return try body()
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    }
}
