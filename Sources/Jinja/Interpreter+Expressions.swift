extension Interpreter {
    /// Evaluates an expression. `caller` is passed to the macro a `{% call %}` block invokes.
    func evaluate(_ expression: Expression, caller: Value? = nil) throws(JinjaError) -> Value {
        try budget.spend()
        switch expression {
        case .literal(let value):
            return value
        case .name(let name):
            return lookup(name)
        case .list(let items), .tuple(let items):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try evaluate(item)) }
            return try budget.charge(.array(values))
        case .dictionary(let pairs):
            var object = Value.Object()
            for (key, value) in pairs { object[key: try evaluate(key)] = try evaluate(value) }
            return try budget.charge(.object(object))
        case .attribute(let base, let name):
            return try evaluate(base).attribute(name)
        case .item(let base, let key):
            return try evaluate(base).item(try evaluate(key))
        case .slice(let base, let start, let stop, let step):
            let value = try evaluate(base)
            return try value.slice(start: try evaluateOptional(start), stop: try evaluateOptional(stop), step: try evaluateOptional(step))
        case .call(let callee, let arguments, let keywordArguments):
            var evaluated = try evaluateArguments(arguments, keywordArguments)
            evaluated.caller = caller
            let function = try evaluate(callee)
            if case .macro(let macro) = function { return try budget.charge(try call(macro, evaluated)) }
            return try budget.charge(try function.call(evaluated))
        case .filter(let base, let filter):
            return try budget.charge(try applyFilter(filter, to: try evaluate(base)))
        case .test(let base, let name, let arguments, let negated):
            let value = try evaluate(base)
            var values: [Value] = []
            for argument in arguments { values.append(try evaluate(argument)) }
            return .bool(try BuiltinTests.check(name, value, values) != negated)
        case .unary(let op, let operand):
            let value = try evaluate(operand)
            switch (op, value) {
            case ("-", .int(let number)):
                guard number != .min else { throw runtimeError("integer result of - is too large") }
                return .int(-number)
            case ("-", .double(let number)): return .double(-number)
            case ("-", .bool(let flag)): return .int(flag ? -1 : 0)
            case ("+", .int), ("+", .double): return value
            case (_, .undefined): throw value.undefinedError()
            default: throw runtimeError("bad operand type for unary \(op): '\(value.typeName)'")
            }
        case .binary(let op, let left, let right):
            return try budget.charge(try evaluate(left).binary(op, try evaluate(right)))
        case .and(let left, let right):
            let value = try evaluate(left)
            return value.isTruthy ? try evaluate(right) : value
        case .or(let left, let right):
            let value = try evaluate(left)
            return value.isTruthy ? value : try evaluate(right)
        case .not(let operand):
            return .bool(!(try evaluate(operand).isTruthy))
        case .compare(let first, let operations):
            var left = try evaluate(first)
            for (op, rightExpression) in operations {
                let right = try evaluate(rightExpression)
                let holds: Bool
                switch op {
                case "==": holds = left == right
                case "!=": holds = left != right
                case "<": holds = try left.isLess(than: right, orEqual: false)
                case "<=": holds = try left.isLess(than: right, orEqual: true)
                case ">": holds = try right.isLess(than: left, orEqual: false)
                case ">=": holds = try right.isLess(than: left, orEqual: true)
                case "in": holds = try right.contains(left)
                default: holds = !(try right.contains(left))
                }
                guard holds else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let then, let condition, let otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(then) }
            return try otherwise.map { expression throws(JinjaError) in try evaluate(expression) } ?? .undefined("conditional")
        case .concat(let parts):
            // Texts share their storage with the values they came from: nothing is copied
            // before the total is known to fit.
            var texts: [String] = []
            for part in parts { texts.append(try evaluate(part).text) }
            try budget.reserve(bytes: texts.reduce(0) { RenderBudget.sum($0, $1.utf8.count) })
            return .string(texts.joined())
        }
    }

    private func evaluateOptional(_ expression: Expression?) throws(JinjaError) -> Value {
        guard let expression else { return .none }
        return try evaluate(expression)
    }

    private func evaluateArguments(_ arguments: [Expression], _ keywordArguments: [(String, Expression)]) throws(JinjaError) -> Value.Arguments {
        var positional: [Value] = []
        for argument in arguments { positional.append(try evaluate(argument)) }
        var keyword: [(String, Value)] = []
        for (name, argument) in keywordArguments { keyword.append((name, try evaluate(argument))) }
        return Value.Arguments(positional, keyword: keyword)
    }

    func applyFilter(_ filter: FilterCall, to value: Value) throws(JinjaError) -> Value {
        try Filters.apply(filter.name, to: value, try evaluateArguments(filter.arguments, filter.keywordArguments))
    }
}
