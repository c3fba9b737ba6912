/// A snapshot of the engine's load, for metrics: read at any time from any thread, published by
/// the decode loop once per tick.
public struct EngineStatistics: Sendable, Equatable {
    /// Sequence slots generating or evaluating a prompt.
    public var busySlots: Int
    /// Sequence slots in all (`--parallel`).
    public var slots: Int
    /// Generations waiting for a free slot.
    public var waitingJobs: Int
    /// KV cache cells holding a token (the slots' cached prompts and replies).
    public var kvCellsUsed: Int
    /// KV cache cells in all: every slot's context.
    public var kvCells: Int
    /// Prompt tokens run through the model since start (cached prefixes not counted).
    public var evaluatedPromptTokens: Int

    public init(busySlots: Int = 0, slots: Int = 0, waitingJobs: Int = 0, kvCellsUsed: Int = 0, kvCells: Int = 0, evaluatedPromptTokens: Int = 0) {
        self.busySlots = busySlots
        self.slots = slots
        self.waitingJobs = waitingJobs
        self.kvCellsUsed = kvCellsUsed
        self.kvCells = kvCells
        self.evaluatedPromptTokens = evaluatedPromptTokens
    }
}

extension EngineStatistics {
    /// The load of two engines together (several loaded models).
    public static func + (lhs: Self, rhs: Self) -> Self {
        EngineStatistics(
            busySlots: lhs.busySlots + rhs.busySlots,
            slots: lhs.slots + rhs.slots,
            waitingJobs: lhs.waitingJobs + rhs.waitingJobs,
            kvCellsUsed: lhs.kvCellsUsed + rhs.kvCellsUsed,
            kvCells: lhs.kvCells + rhs.kvCells,
            evaluatedPromptTokens: lhs.evaluatedPromptTokens + rhs.evaluatedPromptTokens
        )
    }
}
