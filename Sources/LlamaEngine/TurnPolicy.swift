/// Who may use the CPU next: the decode loops' ticks or side work (embedding passes). Pure: the
/// caller reports what starts and ends and asks what may start; ``ComputeTurns`` does the waiting.
///
/// Two computations at once on the same cores slow each other by more than their share (each
/// runs a team of threads that meet at barriers, and one preempted thread holds its whole team
/// back), so they take turns instead. While no decode loop is generating, side work runs freely.
/// While one is, side work earns `share / (1 − share)` seconds for every second of ticks and
/// spends what its passes take, so over time it gets `share` of the wall clock and the streams
/// the rest; its passes are cut into parts that last about one tick (``sideBudget``), so a
/// stream never waits for more than about one tick at a time. A part that cannot be cut (a
/// whisper.cpp window's encoding) says what it expects to cost and waits until it has earned
/// all of it, so it too takes no more than its share.
struct TurnPolicy: Sendable, Equatable {
    /// The fraction of wall time side work may take while generations run.
    let share: Double
    private(set) var ticksRunning = 0
    private(set) var sideRunning = false
    /// What each waiting side part expects to cost, in seconds (0: a part cut to the budget).
    private(set) var waitingCosts: [Double] = []
    var sideWaiting: Int { waitingCosts.count }
    private(set) var busyLoops = 0
    /// Seconds of CPU side work may still take before the next tick (while generating).
    private(set) var credit = 0.0
    /// The last decode-only tick's duration: how long one side pass should last.
    private(set) var lastTick = 0.05

    init(share: Double) {
        self.share = min(max(share, 0), 0.9)
    }

    /// A decode loop has work (a tick planned) or none.
    var generating: Bool { busyLoops > 0 }

    /// A tick may start unless side work runs, or waits with time it has earned.
    var mayStartTick: Bool { !sideRunning && !waitingCosts.contains(where: hasEarned) }

    /// Side work may start when no tick runs and, while generating, it has earned the time.
    var mayStartSide: Bool { mayStartSide(cost: 0) }

    /// A part expected to cost `cost` seconds may start when no tick runs and, while
    /// generating, it has earned that much.
    func mayStartSide(cost: Double) -> Bool { !sideRunning && ticksRunning == 0 && (!generating || hasEarned(cost)) }

    private func hasEarned(_ cost: Double) -> Bool { credit > 0 && credit >= cost }

    /// How long the next side part should last: about one decode tick while generating, so a
    /// running stream waits no longer than that; ``idlePart`` otherwise, so a request that
    /// arrives meanwhile does not wait for a whole batch.
    var sideBudget: Double { generating ? lastTick : Self.idlePart }

    /// The length of a side part while nothing generates, in seconds.
    static let idlePart = 0.25

    mutating func loopBecameBusy() {
        if busyLoops == 0 { credit = 0 }
        busyLoops += 1
    }

    mutating func loopBecameIdle() {
        busyLoops = max(0, busyLoops - 1)
    }

    mutating func tickStarted() { ticksRunning += 1 }

    /// - Parameter decodeOnly: the tick evaluated no prompt chunk. Only such ticks set the
    ///   length of a pass: a prompt chunk's tick can take seconds, and a stream must not wait
    ///   that long for a pass.
    mutating func tickEnded(seconds: Double, decodeOnly: Bool) {
        ticksRunning = max(0, ticksRunning - 1)
        if decodeOnly { lastTick = max(seconds, 0.001) }
        // At most one pass's worth is saved up (the dearest waiting part's, when that is more):
        // time not used while no side work waited is lost.
        credit = min(credit + seconds * share / (1 - share), max(lastTick, credit, waitingCosts.max() ?? 0))
    }

    mutating func sideArrived(cost: Double = 0) { waitingCosts.append(cost) }

    mutating func sideStarted(cost: Double = 0) {
        if let index = waitingCosts.firstIndex(of: cost) { waitingCosts.remove(at: index) }
        sideRunning = true
    }

    mutating func sideEnded(seconds: Double) {
        sideRunning = false
        if generating { credit -= seconds }
    }
}
