import Foundation

/// A parsed Jinja2 template. Parse once, render many times; rendering never mutates it.
///
/// Whitespace rules default to Hugging Face's chat-template environment (`trim_blocks` and
/// `lstrip_blocks` on); globals include `raise_exception`, `strftime_now`, `range`, `dict` and
/// `namespace`.
public struct Template: Sendable {
    private let nodes: [Node]
    private let source: [Unicode.Scalar]

    /// Parses `source`, throwing ``JinjaError/syntax(_:line:column:)`` with the position of the
    /// first error.
    public init(_ source: String, trimBlocks: Bool = true, lstripBlocks: Bool = true) throws(JinjaError) {
        let scalars = Lexer.normalize(source)
        var lexer = Lexer(source: scalars, trimBlocks: trimBlocks, lstripBlocks: lstripBlocks)
        var parser = Parser(tokens: try lexer.tokenize(), source: scalars)
        nodes = try parser.parseTemplate()
        self.source = scalars
    }

    /// Renders with `context` as the template's variables. `now` is what `strftime_now` formats.
    /// - Throws: ``JinjaError/exceeded(_:)`` when the render goes past `limits`,
    ///   ``JinjaError/cancelled`` when they say it was cancelled.
    public func render(_ context: [String: Value], now: Date = Date(), limits: RenderLimits = .standard) throws(JinjaError) -> String {
        var variables = Self.globals(now: now)
        variables.merge(context) { _, given in given }
        let budget = RenderBudget(limits)
        return try budget.install { () throws(JinjaError) in
            let interpreter = Interpreter(context: variables, source: source, budget: budget)
            var output = ""
            try interpreter.run(nodes, into: &output)
            try budget.settle()
            return output
        }
    }

    private static func globals(now: Date) -> [String: Value] {
        func function(_ name: String, _ body: @escaping @Sendable (Value.Arguments) throws(JinjaError) -> Value) -> Value {
            .callable(Value.Callable(name: name, function: body))
        }
        return [
            "raise_exception": function("raise_exception") { arguments throws(JinjaError) in
                throw .raised(arguments.value(0, "message")?.text ?? "")
            },
            "strftime_now": function("strftime_now") { arguments in
                .string(PythonText.strftime(arguments.value(0, "format")?.text ?? "", date: now))
            },
            "range": function("range", range),
            "dict": function("dict") { arguments in
                var object = Value.Object()
                if case .object(let base) = arguments.positional.first { object = base }
                for (key, value) in arguments.keyword { object[key] = value }
                return .object(object)
            },
            "namespace": function("namespace") { arguments in
                var attributes = Value.Object()
                if case .object(let base) = arguments.positional.first { attributes = base }
                for (key, value) in arguments.keyword { attributes[key] = value }
                return .namespace(Value.Namespace(attributes))
            },
        ]
    }

    @Sendable private static func range(_ arguments: Value.Arguments) throws(JinjaError) -> Value {
        var bounds: [Int] = []
        for argument in arguments.positional {
            guard case .int(let number) = argument else { throw runtimeError("range() arguments must be integers") }
            bounds.append(number)
        }
        let (start, stop, step): (Int, Int, Int) =
            switch bounds.count {
            case 1: (0, bounds[0], 1)
            case 2: (bounds[0], bounds[1], 1)
            case 3: (bounds[0], bounds[1], bounds[2])
            default: throw runtimeError("range expected 1 to 3 arguments, got \(bounds.count)")
            }
        guard step != 0 else { throw runtimeError("range() arg 3 must not be zero") }
        // In 128 bits: the span of two extreme bounds overflows an Int.
        let count = max(0, (Int128(stop) - Int128(start) + Int128(step) - (step > 0 ? 1 : -1)) / Int128(step))
        guard count <= 100_000 else { throw runtimeError("range too big, maximum size is 100000") }
        try RenderBudget.spend(Int(count))
        return .array(stride(from: start, to: stop, by: step).map { .int($0) })
    }
}
