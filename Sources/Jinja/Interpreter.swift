import Foundation

/// Runs a parsed template once. One interpreter belongs to one synchronous render, so it is
/// deliberately not `Sendable`: nothing in a `Value` refers back to it.
final class Interpreter {
    /// Innermost last. The first frame holds the context and the template's top-level names.
    var scopes: [[String: Value]]
    /// The normalized template source, to turn offsets into lines and columns for errors.
    private let source: [Unicode.Scalar]
    /// Macro calls in progress: bounded, so a template that recurses forever fails instead of
    /// overflowing the stack of the server thread rendering it.
    private var callDepth = 0
    static let maximumCallDepth = 64
    /// What the render may still spend.
    let budget: RenderBudget

    /// How a statement list ended.
    enum Flow {
        case normal, breakLoop, continueLoop
    }

    init(context: [String: Value], source: [Unicode.Scalar], budget: RenderBudget) {
        scopes = [context]
        self.source = source
        self.budget = budget
    }

    func lookup(_ name: String) -> Value {
        for scope in scopes.reversed() {
            if let value = scope[name] { return value }
        }
        return .undefined(name)
    }

    func assign(_ name: String, _ value: Value) {
        scopes[scopes.count - 1][name] = value
    }

    /// Renders nodes into `output`, stopping early on `break` or `continue`.
    @discardableResult
    func run(_ nodes: [Node], into output: inout String) throws(JinjaError) -> Flow {
        for node in nodes {
            let flow = try run(node, into: &output)
            if flow != .normal { return flow }
        }
        return .normal
    }

    /// Gives a runtime error without a place the line and column of the statement at `offset`.
    private func located<T>(_ offset: Int, _ work: () throws(JinjaError) -> T) throws(JinjaError) -> T {
        do {
            return try work()
        } catch .runtime(let message, 0, _) {
            let (line, column) = Lexer.location(of: offset, in: source)
            throw .runtime(message, line: line, column: column)
        }
    }

    private func run(_ node: Node, into output: inout String) throws(JinjaError) -> Flow {
        try budget.spend()
        defer {
            // Checked after each statement: no single one adds more than one value's limit.
            if output.utf8.count > budget.limits.valueBytes {
                budget.fail(.exceeded("the rendered text grew past \(budget.limits.valueBytes >> 20) MiB"))
            }
        }
        switch node {
        case .text(let text):
            output += text
        case .output(let expression, let offset):
            output += try located(offset) { () throws(JinjaError) in try evaluate(expression).text }
        case .conditional(let branches, let otherwise, let offset):
            for branch in branches where try located(offset, { () throws(JinjaError) in try evaluate(branch.condition).isTruthy }) {
                return try run(branch.body, into: &output)
            }
            return try run(otherwise, into: &output)
        case .loop(let loop):
            try runLoop(loop, into: &output)
        case .assign(let target, let value, let offset):
            try located(offset) { () throws(JinjaError) in try bind(target, to: try evaluate(value)) }
        case .assignBlock(let target, let filters, let body, let offset):
            var captured = ""
            try run(body, into: &captured)
            try located(offset) { () throws(JinjaError) in
                var value = Value.string(captured)
                for filter in filters { value = try applyFilter(filter, to: value) }
                try bind(target, to: value)
            }
        case .macro(let definition):
            assign(definition.name, makeMacro(definition))
        case .callBlock(let call, let parameters, let body, let offset):
            let caller = makeMacro(MacroDefinition(name: "caller", parameters: parameters, body: body, offset: offset))
            output += try located(offset) { () throws(JinjaError) in try evaluate(call, caller: caller).text }
        case .filterBlock(let filters, let body, let offset):
            var captured = ""
            try run(body, into: &captured)
            output += try located(offset) { () throws(JinjaError) in
                var value = Value.string(captured)
                for filter in filters { value = try applyFilter(filter, to: value) }
                return value.text
            }
        case .expressionStatement(let expression, let offset):
            _ = try located(offset) { () throws(JinjaError) in try evaluate(expression) }
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        case .group(let nodes):
            return try run(nodes, into: &output)
        }
        return .normal
    }

    /// Assigns to a name, unpacks a tuple, or sets a namespace attribute.
    func bind(_ target: AssignTarget, to value: Value) throws(JinjaError) {
        switch target {
        case .name(let name):
            assign(name, value)
        case .tuple(let targets):
            let values = try value.iterated()
            guard values.count == targets.count else {
                throw runtimeError(
                    values.count > targets.count
                        ? "too many values to unpack (expected \(targets.count))"
                        : "not enough values to unpack (expected \(targets.count), got \(values.count))"
                )
            }
            for (target, value) in zip(targets, values) { try bind(target, to: value) }
        case .attribute(let name, let attribute):
            guard case .namespace(let namespace) = lookup(name) else {
                throw runtimeError("cannot assign attribute on non-namespace object")
            }
            namespace[attribute] = value
            do {
                try budget.checkNesting(.namespace(namespace))
            } catch {
                // Taken out again: a namespace that holds itself would never be freed.
                namespace[attribute] = nil
                throw error
            }
        }
    }

    private func runLoop(_ loop: Node.Loop, into output: inout String) throws(JinjaError) {
        var items = try located(loop.offset) { () throws(JinjaError) in try evaluate(loop.iterable).iterated() }
        scopes.append([:])
        defer { scopes.removeLast() }
        if let filter = loop.filter {
            var kept: [Value] = []
            for item in items {
                try located(loop.offset) { () throws(JinjaError) in try bind(loop.target, to: item) }
                if try located(loop.offset, { () throws(JinjaError) in try evaluate(filter).isTruthy }) { kept.append(item) }
            }
            items = kept
        }
        guard !items.isEmpty else {
            try run(loop.otherwise, into: &output)
            return
        }
        for (index, item) in items.enumerated() {
            try located(loop.offset) { () throws(JinjaError) in try bind(loop.target, to: item) }
            assign("loop", Self.loopObject(index: index, items: items))
            if try run(loop.body, into: &output) == .breakLoop { break }
        }
    }

    private static func loopObject(index: Int, items: [Value]) -> Value {
        let count = items.count
        let cycle = Value.Callable(name: "cycle") { arguments throws(JinjaError) in
            guard !arguments.positional.isEmpty else { throw runtimeError("no items for cycling given") }
            return arguments.positional[index % arguments.positional.count]
        }
        return .object(
            Value.Object(distinctKeys: [
                ("index", .int(index + 1)),
                ("index0", .int(index)),
                ("revindex", .int(count - index)),
                ("revindex0", .int(count - index - 1)),
                ("first", .bool(index == 0)),
                ("last", .bool(index == count - 1)),
                ("length", .int(count)),
                ("depth", .int(1)),
                ("depth0", .int(0)),
                ("previtem", index > 0 ? items[index - 1] : .undefined("previtem")),
                ("nextitem", index + 1 < count ? items[index + 1] : .undefined("nextitem")),
                ("cycle", .callable(cycle)),
            ])
        )
    }

    private func makeMacro(_ definition: MacroDefinition) -> Value {
        .macro(Value.Macro(definition: definition, capturedScopes: Array(scopes.dropFirst())))
    }

    /// Runs a macro. It sees the live top-level names, the scopes around its definition, and
    /// its own parameters; `varargs`, `kwargs` and `caller` as Jinja2 provides them.
    func call(_ macro: Value.Macro, _ arguments: Value.Arguments) throws(JinjaError) -> Value {
        let definition = macro.definition
        guard callDepth < Self.maximumCallDepth else {
            throw runtimeError("macro '\(definition.name)' recursed more than \(Self.maximumCallDepth) calls deep")
        }
        callDepth += 1
        defer { callDepth -= 1 }
        // A macro assigns only in its own frame, so the saved scopes come back unchanged.
        let saved = scopes
        scopes = [scopes[0]] + macro.capturedScopes + [[:]]
        defer { scopes = saved }
        var positional = arguments.positional[...]
        var keyword = arguments.keyword
        for parameter in definition.parameters {
            if let index = keyword.firstIndex(where: { $0.0 == parameter.name }) {
                assign(parameter.name, keyword.remove(at: index).1)
            } else if let value = positional.popFirst() {
                assign(parameter.name, value)
            } else if let defaultValue = parameter.defaultValue {
                assign(parameter.name, try located(definition.offset) { () throws(JinjaError) in try evaluate(defaultValue) })
            } else {
                assign(parameter.name, .undefined(parameter.name))
            }
        }
        assign("varargs", .array(Array(positional)))
        assign("kwargs", .object(Value.Object(keyword)))
        if let caller = arguments.caller { assign("caller", caller) }
        var output = ""
        try run(definition.body, into: &output)
        return .string(output)
    }
}
