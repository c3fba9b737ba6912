/// What one render may spend. A template can come from a request (`instruction_template_str`,
/// `chat_template_str`), so it is untrusted code: every loop, every string it builds and the
/// time it runs are bounded, and the caller can stop it.
public struct RenderLimits: Sendable {
    /// Statements run and expressions evaluated, including the work inside filters and methods
    /// that walk long lists or strings (a sort, a search, a join).
    public var steps: Int
    /// The largest string any one operation may build, and the rendered text itself.
    public var valueBytes: Int
    /// All strings and lists built during the render, added up: a loop that builds and drops
    /// large strings again and again stops here.
    public var builtBytes: Int
    /// When the render must have finished; nil for no deadline.
    public var deadline: ContinuousClock.Instant?
    /// Asked every few thousand steps; true stops the render with ``JinjaError/cancelled``.
    public var isCancelled: @Sendable () -> Bool

    /// Far above what any chat template needs for the longest conversation a context holds
    /// (a template spends tens of steps a message), and far below what would stall a server.
    public static let standard = RenderLimits()

    public init(
        steps: Int = 10_000_000,
        valueBytes: Int = 32 << 20,
        builtBytes: Int = 1 << 30,
        deadline: ContinuousClock.Instant? = nil,
        isCancelled: @escaping @Sendable () -> Bool = { false }
    ) {
        self.steps = steps
        self.valueBytes = valueBytes
        self.builtBytes = builtBytes
        self.deadline = deadline
        self.isCancelled = isCancelled
    }
}
