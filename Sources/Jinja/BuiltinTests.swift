/// Jinja2's tests: `value is name(arguments)`.
enum BuiltinTests {
    static func check(_ name: String, _ value: Value, _ arguments: [Value]) throws(JinjaError) -> Bool {
        if case .markup = value, name == "escaped" || name == "string" { return true }
        let value = value.plain
        let argument = (arguments.first ?? .none).plain
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "number":
            switch value {
            case .int, .double, .bool: return true
            default: return false
            }
        case "string": if case .string = value { return true } else { return false }
        case "mapping":
            switch value {
            case .object: return true
            default: return false
            }
        case "iterable":
            switch value {
            case .array, .object, .string, .undefined: return true
            default: return false
            }
        case "sequence":
            switch value {
            case .array, .object, .string, .undefined: return true
            default: return false
            }
        case "callable":
            switch value {
            case .callable, .macro: return true
            default: return false
            }
        case "lower": if case .string(let text) = value { return text == text.lowercased() } else { return false }
        case "upper": if case .string(let text) = value { return text == text.uppercased() } else { return false }
        case "odd", "even":
            guard case .int(let number) = value else { throw runtimeError("\(name) test needs an integer") }
            return (number % 2 != 0) == (name == "odd")
        case "divisibleby":
            guard case .int(let number) = value, case .int(let divisor) = argument, divisor != 0 else {
                throw runtimeError("divisibleby test needs integers")
            }
            return number.remainderReportingOverflow(dividingBy: divisor).partialValue == 0
        case "eq", "equalto", "==": return value == argument
        case "ne", "!=": return value != argument
        case "lt", "lessthan", "<": return try value.isLess(than: argument, orEqual: false)
        case "le", "<=": return try value.isLess(than: argument, orEqual: true)
        case "gt", "greaterthan", ">": return try argument.isLess(than: value, orEqual: false)
        case "ge", ">=": return try argument.isLess(than: value, orEqual: true)
        case "in": return try argument.contains(value)
        case "sameas":
            switch (value, argument) {
            case (.none, .none): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.namespace(let a), .namespace(let b)): return a === b
            default: return false
            }
        case "escaped": return false
        case "filter", "test": return false
        default: throw runtimeError("No test named '\(name)'.")
        }
    }
}
