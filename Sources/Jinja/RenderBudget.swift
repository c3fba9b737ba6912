import Foundation

/// The spending of one render against its ``RenderLimits``.
///
/// A render is synchronous and runs on one thread, so its budget is installed as that thread's
/// current one: the interpreter charges every statement and expression, and the filters and
/// methods deep inside it (which do not see the interpreter) charge their own loops and
/// allocations through ``current``. Outside a render nothing is charged.
final class RenderBudget {
    let limits: RenderLimits
    private var stepsLeft: Int
    private var bytesLeft: Int
    /// Steps until the clock and the cancellation flag are read again.
    private var untilCheck = checkInterval
    /// A limit hit where nothing could throw (a conversion to text): the next step throws it.
    private var pending: JinjaError?
    private static let checkInterval = 4096

    init(_ limits: RenderLimits) {
        self.limits = limits
        stepsLeft = limits.steps
        bytesLeft = limits.builtBytes
    }

    /// Runs `work` with this budget as the thread's current one.
    func install<T>(_ work: () throws(JinjaError) -> T) throws(JinjaError) -> T {
        let previous = pthread_getspecific(renderBudgetKey)
        pthread_setspecific(renderBudgetKey, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(renderBudgetKey, previous) }
        return try work()
    }

    /// The budget of the render running on this thread, if any.
    static var current: RenderBudget? {
        pthread_getspecific(renderBudgetKey).map { Unmanaged<RenderBudget>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Charges `count` steps of work.
    func spend(_ count: Int = 1) throws(JinjaError) {
        if let pending { throw pending }
        stepsLeft -= count
        guard stepsLeft >= 0 else {
            throw .exceeded("the template ran more than \(limits.steps) steps")
        }
        untilCheck -= count
        guard untilCheck <= 0 else { return }
        try checkClock()
    }

    /// Reads the clock and the cancellation flag.
    private func checkClock() throws(JinjaError) {
        untilCheck = Self.checkInterval
        if let deadline = limits.deadline, ContinuousClock.now > deadline {
            throw .exceeded("the template ran out of time")
        }
        if limits.isCancelled() { throw .cancelled }
    }

    /// Checks, before it is built, a string or list of `bytes`, and charges it.
    func reserve(bytes: Int) throws(JinjaError) {
        if let pending { throw pending }
        guard bytes <= limits.valueBytes else {
            throw Self.valueTooLarge(limits.valueBytes)
        }
        bytesLeft -= bytes
        guard bytesLeft >= 0 else {
            throw .exceeded("the template built more than \(limits.builtBytes >> 20) MiB of text")
        }
        // Building a megabyte takes as long as thousands of steps: the clock is read then too.
        if bytes >= 1 << 20 { try checkClock() }
    }

    /// Charges a value an operation has just built, and throws a limit hit while building it.
    func charge(_ value: Value) throws(JinjaError) -> Value {
        switch value {
        case .string(let text), .markup(let text): try reserve(bytes: text.utf8.count)
        case .array(let values):
            try reserve(bytes: Self.product(values.count, Value.bytesPerItem))
            try checkNesting(value)
        case .object(let object):
            try reserve(bytes: Self.product(object.count, 3 * Value.bytesPerItem))
            try checkNesting(value)
        case .namespace: try checkNesting(value)
        default: if let pending { throw pending }
        }
        return value
    }

    /// How deep values may nest. A structure nested deeper (a list wrapped in a list in a loop,
    /// a namespace that holds itself) would exhaust the stack of whatever walks it, down to
    /// freeing it; Python stops at about a thousand too.
    static let maximumNesting = 256

    /// Throws when `value` nests deeper than ``maximumNesting``; the walk is charged.
    func checkNesting(_ value: Value) throws(JinjaError) {
        var visited = 0
        let tooDeep = value.nests(deeperThan: Self.maximumNesting, visited: &visited)
        try spend(visited / 16)
        if tooDeep { throw .exceeded("a value of the template nests more than \(Self.maximumNesting) deep") }
    }

    /// Throws a limit hit recorded where nothing could throw.
    func settle() throws(JinjaError) {
        if let pending { throw pending }
    }

    /// Records a limit hit where the code could not throw; the render stops at its next step.
    func fail(_ error: JinjaError) {
        if pending == nil { pending = error }
    }

    /// ``spend(_:)`` on the current budget; nothing outside a render.
    static func spend(_ count: Int = 1) throws(JinjaError) {
        try current?.spend(count)
    }

    /// ``reserve(bytes:)`` on the current budget; outside a render, only the largest value is checked.
    static func reserve(bytes: Int) throws(JinjaError) {
        if let current {
            try current.reserve(bytes: bytes)
        } else if bytes > RenderLimits.standard.valueBytes {
            throw .exceeded("a value grew past \(RenderLimits.standard.valueBytes >> 20) MiB")
        }
    }

    /// Appends `piece` to a string being built, within the limit of one value; charges the piece.
    static func append(_ piece: String, to output: inout String) throws(JinjaError) {
        let limit = current?.limits.valueBytes ?? RenderLimits.standard.valueBytes
        guard sum(output.utf8.count, piece.utf8.count) <= limit else {
            throw valueTooLarge(limit)
        }
        try current?.reserve(bytes: piece.utf8.count)
        output += piece
    }

    /// A value past the limit of one value.
    private static func valueTooLarge(_ limit: Int) -> JinjaError {
        .exceeded("a value of the template grew past \(limit >> 20) MiB")
    }

    /// The size two sizes add up to, or more than any limit when they overflow.
    static func sum(_ a: Int, _ b: Int) -> Int {
        let (total, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : total
    }

    /// `a * b`, or more than any limit when it overflows; negative counts are none.
    static func product(_ a: Int, _ b: Int) -> Int {
        let (total, overflow) = max(0, a).multipliedReportingOverflow(by: max(0, b))
        return overflow ? .max : total
    }
}

/// The thread-local slot of the running render's budget.
private let renderBudgetKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
