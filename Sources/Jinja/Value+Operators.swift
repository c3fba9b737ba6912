import Foundation

/// A runtime failure whose line the interpreter fills in.
func runtimeError(_ message: String) -> JinjaError { .runtime(message, line: 0, column: 0) }

extension Value {
    /// The error Jinja2 raises when an undefined value is used for more than a test or output.
    func undefinedError() -> JinjaError {
        guard case .undefined(let name) = self else { return runtimeError("value is undefined") }
        return runtimeError("'\(name)' is undefined")
    }

    /// Python's `len()`.
    func length() throws(JinjaError) -> Int {
        switch plain {
        case .undefined: 0
        case .string(let text): text.unicodeScalars.count
        case .array(let values): values.count
        case .object(let object): object.count
        case .namespace(let namespace): namespace.attributes.count
        default: throw runtimeError("object of type '\(typeName)' has no len()")
        }
    }

    /// The items a `for` loop or a filter walks: list items, dict keys, string characters.
    func iterated() throws(JinjaError) -> [Value] {
        switch plain {
        case .undefined: return []
        case .array(let values): return values
        case .object(let object): return object.keyValues
        case .string(let text):
            try RenderBudget.reserve(bytes: RenderBudget.product(text.utf8.count, Self.bytesPerItem))
            return text.unicodeScalars.map { .string(String($0)) }
        default: throw runtimeError("'\(typeName)' object is not iterable")
        }
    }

    /// `a + b`, `a - b`, … with Python's numeric promotion.
    func binary(_ op: String, _ other: Value) throws(JinjaError) -> Value {
        if isUndefined { throw undefinedError() }
        if other.isUndefined { throw other.undefinedError() }
        switch (op, self, other) {
        // Markup escapes the plain string added to it (Jinja2 with autoescape off still does).
        case ("+", .markup(let a), .markup(let b)):
            try RenderBudget.reserve(bytes: RenderBudget.sum(a.utf8.count, b.utf8.count))
            return .markup(a + b)
        case ("+", .markup(let a), .string(let b)): return .markup(a + (try Filters.htmlEscaped(b, after: a)))
        case ("+", .string(let a), .markup(let b)): return .markup((try Filters.htmlEscaped(a, after: b)) + b)
        default: break
        }
        switch (op, self.plain, other.plain) {
        case ("+", .string(let a), .string(let b)):
            try RenderBudget.reserve(bytes: RenderBudget.sum(a.utf8.count, b.utf8.count))
            return .string(a + b)
        case ("+", .array(let a), .array(let b)):
            try RenderBudget.reserve(bytes: RenderBudget.product(RenderBudget.sum(a.count, b.count), Self.bytesPerItem))
            return .array(a + b)
        case ("*", .string(let text), .int(let count)), ("*", .int(let count), .string(let text)):
            try RenderBudget.reserve(bytes: RenderBudget.product(text.utf8.count, count))
            return .string(String(repeating: text, count: max(0, count)))
        case ("*", .array(let values), .int(let count)), ("*", .int(let count), .array(let values)):
            try RenderBudget.reserve(bytes: RenderBudget.product(RenderBudget.product(values.count, count), Self.bytesPerItem))
            return .array(Array([[Value]](repeating: values, count: max(0, count)).joined()))
        case ("%", .string(let format), _):
            return .string(try PythonText.percentFormat(format, other))
        default: break
        }
        if case .int(let a) = integerPromoted, case .int(let b) = other.integerPromoted {
            return try Self.integerArithmetic(op, a, b)
        }
        guard let a = number, let b = other.number else {
            throw runtimeError("unsupported operand type(s) for \(op): '\(typeName)' and '\(other.typeName)'")
        }
        switch op {
        case "+": return .double(a + b)
        case "-": return .double(a - b)
        case "*": return .double(a * b)
        case "/", "//", "%":
            guard b != 0 else { throw runtimeError("float division by zero") }
            if op == "/" { return .double(a / b) }
            if op == "//" { return .double((a / b).rounded(.down)) }
            let remainder = fmod(a, b)
            return .double(remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder)
        case "**": return .double(pow(a, b))
        default: throw runtimeError("unknown operator \(op)")
        }
    }

    /// What a list item counts for against the render's byte limits.
    static let bytesPerItem = 16

    /// Integer `+ - * / // % **` as Python computes them. Python's integers have no bound; these
    /// have 64 bits, and a result past them is an error rather than a wrapped number.
    private static func integerArithmetic(_ op: String, _ a: Int, _ b: Int) throws(JinjaError) -> Value {
        func checked(_ result: (partialValue: Int, overflow: Bool)) throws(JinjaError) -> Value {
            guard !result.overflow else { throw runtimeError("integer result of \(op) is too large") }
            return .int(result.partialValue)
        }
        switch op {
        case "+": return try checked(a.addingReportingOverflow(b))
        case "-": return try checked(a.subtractingReportingOverflow(b))
        case "*": return try checked(a.multipliedReportingOverflow(by: b))
        case "/":
            guard b != 0 else { throw runtimeError("division by zero") }
            return .double(Double(a) / Double(b))
        case "//":
            guard b != 0 else { throw runtimeError("integer division or modulo by zero") }
            let (quotient, overflow) = a.dividedReportingOverflow(by: b)
            guard !overflow else { throw runtimeError("integer result of // is too large") }
            return .int((a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient)
        case "%":
            guard b != 0 else { throw runtimeError("integer division or modulo by zero") }
            let remainder = a.remainderReportingOverflow(dividingBy: b).partialValue
            return .int(remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder)
        case "**":
            guard b >= 0 else { return .double(pow(Double(a), Double(b))) }
            var (result, base, exponent) = (1, a, b)
            while exponent > 0 {
                if exponent & 1 == 1 {
                    let product = result.multipliedReportingOverflow(by: base)
                    guard !product.overflow else { throw runtimeError("integer result of ** is too large") }
                    result = product.partialValue
                }
                exponent >>= 1
                if exponent > 0 {
                    let square = base.multipliedReportingOverflow(by: base)
                    guard !square.overflow else { throw runtimeError("integer result of ** is too large") }
                    base = square.partialValue
                }
            }
            return .int(result)
        default: throw runtimeError("unknown operator \(op)")
        }
    }

    /// Booleans take part in integer arithmetic as 0 and 1.
    private var integerPromoted: Value {
        if case .bool(let value) = self { return .int(value ? 1 : 0) }
        return self
    }

    /// `<`, `<=`, `>`, `>=` for numbers, strings and lists.
    func isLess(than other: Value, orEqual: Bool) throws(JinjaError) -> Bool {
        switch (plain, other.plain) {
        case (.string(let a), .string(let b)):
            let (x, y) = (Array(a.unicodeScalars), Array(b.unicodeScalars))
            return orEqual ? !y.lexicographicallyPrecedes(x) : x.lexicographicallyPrecedes(y)
        case (.array(let a), .array(let b)):
            for (x, y) in zip(a, b) where x != y { return try x.isLess(than: y, orEqual: false) }
            return orEqual ? a.count <= b.count : a.count < b.count
        default:
            guard let a = number, let b = other.number else {
                throw runtimeError("'<' not supported between instances of '\(typeName)' and '\(other.typeName)'")
            }
            return orEqual ? a <= b : a < b
        }
    }

    /// Python's `in`.
    func contains(_ element: Value) throws(JinjaError) -> Bool {
        switch plain {
        case .string(let text):
            guard case .string(let part) = element.plain else { throw runtimeError("'in <string>' requires string as left operand") }
            return try PythonText.index(of: part, in: text) != nil
        case .array(let values): return values.contains(element)
        case .object(let object):
            return object[key: element] != nil
        case .undefined: return false
        default: throw runtimeError("argument of type '\(typeName)' is not iterable")
        }
    }

    /// `value.name`: Python attribute first (methods), then the item of that name, as Jinja2's
    /// `getattr` does. A missing member is undefined; a member of undefined is an error.
    func attribute(_ name: String) throws(JinjaError) -> Value {
        switch self {
        case .undefined: throw undefinedError()
        case .namespace(let namespace): return namespace[name] ?? .undefined(name)
        default:
            if let method = try method(name) { return method }
            return try item(.string(name), fallBackToAttribute: false)
        }
    }

    /// `value[key]`: the item first, then an attribute of that name.
    func item(_ key: Value, fallBackToAttribute: Bool = true) throws(JinjaError) -> Value {
        switch (plain, key.plain) {
        case (.undefined, _): throw undefinedError()
        case (.array(let values), _):
            if let index = key.integerIndex {
                let resolved = index < 0 ? values.count + index : index
                if values.indices.contains(resolved) { return values[resolved] }
            }
        case (.string(let text), _):
            if let index = key.integerIndex {
                let scalars = Array(text.unicodeScalars)
                let resolved = index < 0 ? scalars.count + index : index
                if scalars.indices.contains(resolved) { return .string(String(scalars[resolved])) }
            }
        case (.object(let object), _):
            if let value = object[key: key] { return value }
        case (.namespace(let namespace), .string(let name)):
            if let value = namespace[name] { return value }
        default: break
        }
        if fallBackToAttribute, case .string(let name) = key, let method = try method(name) { return method }
        return .undefined(key.text)
    }

    private var integerIndex: Int? {
        switch self {
        case .int(let value): value
        case .bool(let value): value ? 1 : 0
        default: nil
        }
    }

    /// Python's slice semantics, for lists and strings.
    func slice(start: Value, stop: Value, step: Value) throws(JinjaError) -> Value {
        func bound(_ value: Value) throws(JinjaError) -> Int? {
            switch value {
            case .none, .undefined: return nil
            case .int(let number): return number
            default: throw runtimeError("slice indices must be integers or None")
            }
        }
        let stepValue = try bound(step) ?? 1
        guard stepValue != 0 else { throw runtimeError("slice step cannot be zero") }
        func indices(count: Int) throws(JinjaError) -> [Int] {
            func clamp(_ index: Int?, _ fallback: Int, low: Int, high: Int) -> Int {
                guard var index else { return fallback }
                if index < 0 { index += count }
                return min(max(index, low), high)
            }
            if stepValue > 0 {
                let from = clamp(try bound(start), 0, low: 0, high: count)
                let to = clamp(try bound(stop), count, low: 0, high: count)
                return Array(stride(from: from, to: to, by: stepValue))
            }
            let from = clamp(try bound(start), count - 1, low: -1, high: count - 1)
            let to = clamp(try bound(stop), -1, low: -1, high: count - 1)
            return Array(stride(from: from, to: to, by: stepValue))
        }
        switch plain {
        case .array(let values): return .array(try indices(count: values.count).map { values[$0] })
        case .string(let text):
            let scalars = Array(text.unicodeScalars)
            var output = String.UnicodeScalarView()
            for index in try indices(count: scalars.count) { output.append(scalars[index]) }
            return .string(String(output))
        case .undefined: throw undefinedError()
        default: throw runtimeError("'\(typeName)' object is not subscriptable")
        }
    }

    /// Calls a callable value; anything else is an error.
    func call(_ arguments: Arguments) throws(JinjaError) -> Value {
        switch self {
        case .callable(let callable): return try callable.function(arguments)
        case .macro: throw runtimeError("a macro can only be called from its template")
        case .undefined: throw undefinedError()
        default: throw runtimeError("'\(typeName)' object is not callable")
        }
    }
}
