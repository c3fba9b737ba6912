import Foundation

/// Jinja2's built-in filters, with Hugging Face's `tojson`.
enum Filters {
    static func apply(_ name: String, to value: Value, _ arguments: Value.Arguments) throws(JinjaError) -> Value {
        switch (name, value) {
        case ("safe", _): return .markup(value.text)
        case ("e", .markup), ("escape", .markup), ("string", .markup): return value
        case ("e", _), ("escape", _), ("forceescape", _): return .markup(htmlEscaped(value.text))
        case ("default", .markup), ("d", .markup):
            return arguments.value(1, "boolean")?.isTruthy == true && !value.isTruthy ? arguments.value(0, "default_value") ?? "" : value
        case (_, .markup):
            // Filters that keep Markup in Python (its str methods return Markup); the rest see
            // the plain string.
            let result = try apply(name, to: value.plain, arguments)
            guard ["trim", "upper", "lower", "title", "capitalize", "indent", "center"].contains(name), case .string(let text) = result
            else { return result }
            return .markup(text)
        default: break
        }
        func argument(_ index: Int, _ keyword: String) -> Value? { arguments.value(index, keyword) }
        func flag(_ index: Int, _ keyword: String) -> Bool { argument(index, keyword)?.isTruthy ?? false }
        switch name {
        case "tojson":
            if value.isUndefined { throw runtimeError("Object of type Undefined is not JSON serializable") }
            var indent: Int?
            // As json.dumps: a negative indent indents by nothing (but still breaks lines).
            if case .int(let width) = argument(0, "indent") { indent = max(0, width) }
            var separators: (String, String)?
            if case .array(let pair) = argument(-1, "separators"), pair.count == 2 { separators = (pair[0].text, pair[1].text) }
            return .string(
                value.json(
                    indent: indent,
                    sortKeys: flag(-1, "sort_keys"),
                    ensureASCII: flag(-1, "ensure_ascii"),
                    separators: separators
                )
            )
        case "from_json":
            return try Value(jsonText: value.text)
        case "length", "count": return .int(try value.length())
        case "string": return .string(value.text)
        case "trim":
            var characters: String?
            if case .string(let chars) = argument(0, "chars") { characters = chars }
            return .string(PythonText.strip(value.text, characters, leading: true, trailing: true))
        case "upper": return .string(value.text.uppercased())
        case "lower": return .string(value.text.lowercased())
        case "title": return .string(PythonText.titleFilter(value.text))
        case "capitalize": return .string(PythonText.capitalize(value.text))
        case "wordcount": return .int(value.text.split { !($0.isLetter || $0.isNumber || $0 == "_") }.count)
        case "replace":
            var limit = -1
            if case .int(let count) = argument(2, "count") { limit = count }
            return .string(try PythonText.replace(value.text, argument(0, "old")?.text ?? "", argument(1, "new")?.text ?? "", limit: limit))
        case "default", "d":
            let fallback = argument(0, "default_value") ?? ""
            if value.isUndefined || (flag(1, "boolean") && !value.isTruthy) { return fallback }
            return value
        case "list": return .array(try value.iterated())
        case "first": return try value.iterated().first ?? .undefined("first")
        case "last": return try value.iterated().last ?? .undefined("last")
        case "reverse":
            if case .string(let text) = value { return .string(String(String.UnicodeScalarView(text.unicodeScalars.reversed()))) }
            return .array(try value.iterated().reversed())
        case "join":
            var items = try value.iterated()
            if let attribute = argument(1, "attribute") { items = try items.map { item throws(JinjaError) in try lookup(item, attribute) } }
            return .string(try joined(items, separator: argument(0, "d")?.text ?? ""))
        case "items":
            guard case .object(let object) = value else {
                if value.isUndefined { return .array([]) }
                throw runtimeError("items filter: can only get item pairs from a mapping, not \(value.typeName)")
            }
            return .array(object.entries.map { .array([$0.0, $0.1]) })
        case "dictsort":
            guard case .object(let object) = value else { throw runtimeError("dictsort filter: can only sort a mapping") }
            let byValue = argument(2, "by")?.text == "value"
            let caseSensitive = flag(0, "case_sensitive")
            let sorted = try stableSort(object.entries.map { Value.array([$0.0, $0.1]) }, reverse: flag(3, "reverse")) { pair throws(JinjaError) in
                let key = try pair.item(.int(byValue ? 1 : 0))
                return caseSensitive ? key : lowered(key)
            }
            return .array(sorted)
        case "sort":
            let caseSensitive = flag(1, "case_sensitive")
            let attribute = argument(2, "attribute")
            return .array(
                try stableSort(try value.iterated(), reverse: flag(0, "reverse")) { item throws(JinjaError) in
                    let key = try attribute.map { name throws(JinjaError) in try lookup(item, name) } ?? item
                    return caseSensitive ? key : lowered(key)
                }
            )
        case "unique":
            let caseSensitive = flag(0, "case_sensitive")
            let attribute = argument(1, "attribute")
            var seen: [Value] = []
            var unique: [Value] = []
            for item in try value.iterated() {
                try RenderBudget.spend(seen.count + 1)
                var key = try attribute.map { name throws(JinjaError) in try lookup(item, name) } ?? item
                if !caseSensitive { key = lowered(key) }
                if !seen.contains(key) {
                    seen.append(key)
                    unique.append(item)
                }
            }
            return .array(unique)
        case "min", "max":
            let caseSensitive = flag(0, "case_sensitive")
            let attribute = argument(1, "attribute")
            let items = try value.iterated()
            guard var best = items.first else { return .undefined(name) }
            func key(_ item: Value) throws(JinjaError) -> Value {
                let key = try attribute.map { name throws(JinjaError) in try lookup(item, name) } ?? item
                return caseSensitive ? key : lowered(key)
            }
            for item in items.dropFirst() {
                let better =
                    name == "min"
                    ? try key(item).isLess(than: try key(best), orEqual: false) : try key(best).isLess(than: try key(item), orEqual: false)
                if better { best = item }
            }
            return best
        case "sum":
            var total = argument(1, "start") ?? .int(0)
            for item in try value.iterated() {
                total = try total.binary("+", try argument(0, "attribute").map { name throws(JinjaError) in try lookup(item, name) } ?? item)
            }
            return total
        case "abs":
            switch value {
            case .int(let number):
                guard number != .min else { throw runtimeError("integer result of abs is too large") }
                return .int(abs(number))
            case .double(let number): return .double(abs(number))
            default: throw runtimeError("bad operand type for abs(): '\(value.typeName)'")
            }
        case "round":
            guard let number = value.number else { throw runtimeError("type \(value.typeName) doesn't define __round__ method") }
            var precision = 0
            if case .int(let digits) = argument(0, "precision") { precision = digits }
            let scale = pow(10, Double(precision))
            let rule: FloatingPointRoundingRule =
                switch argument(1, "method")?.text ?? "common" {
                case "ceil": .up
                case "floor": .down
                default: .toNearestOrEven
                }
            return .double((number * scale).rounded(rule) / scale)
        case "int":
            let fallback = argument(0, "default") ?? .int(0)
            switch value {
            case .int: return value
            case .bool(let flag): return .int(flag ? 1 : 0)
            case .double(let number): return number.isFinite ? .int(try integer(number)) : fallback
            case .string(let text):
                let trimmed = PythonText.strip(text, nil, leading: true, trailing: true).replacingOccurrences(of: "_", with: "")
                if let number = Int(trimmed) { return .int(number) }
                if let number = Double(trimmed), number.isFinite { return .int(try integer(number)) }
                return fallback
            default: return fallback
            }
        case "float":
            let fallback = argument(0, "default") ?? .double(0)
            switch value {
            case .int(let number): return .double(Double(number))
            case .double: return value
            case .bool(let flag): return .double(flag ? 1 : 0)
            case .string(let text): return Double(PythonText.strip(text, nil, leading: true, trailing: true)).map { .double($0) } ?? fallback
            default: return fallback
            }
        case "indent":
            var width = "    "
            let text = value.text
            switch argument(0, "width") {
            case .int(let count):
                // Python's `" " * -2` is empty; every line may take the width.
                try RenderBudget.reserve(bytes: RenderBudget.product(count, PythonText.lineCount(text) + 1))
                width = String(repeating: " ", count: max(0, count))
            case .string(let indentation):
                try RenderBudget.reserve(bytes: RenderBudget.product(indentation.utf8.count, PythonText.lineCount(text) + 1))
                width = indentation
            default: break
            }
            return .string(indent(text, by: width, first: flag(1, "first"), blank: flag(2, "blank")))
        case "center":
            var width = 80
            if case .int(let count) = argument(0, "width") { width = count }
            let text = value.text
            try RenderBudget.reserve(bytes: RenderBudget.sum(width, text.utf8.count))
            let padding = max(0, width - text.unicodeScalars.count)
            let left = padding / 2 + (padding & width & 1)
            return .string(String(repeating: " ", count: left) + text + String(repeating: " ", count: padding - left))
        case "attr":
            return try value.attribute(argument(0, "name")?.text ?? "")
        case "format":
            return .string(try PythonText.percentFormat(value.text, .array(arguments.positional)))
        // Jinja2 walks these only `if value`: none and empty give nothing.
        case "map":
            return .array(value.isTruthy ? try mapped(try value.iterated(), arguments) : [])
        case "select", "reject", "selectattr", "rejectattr":
            return .array(value.isTruthy ? try selected(try value.iterated(), filter: name, arguments) : [])
        case "batch":
            var size = 1
            let items = try value.iterated()
            if case .int(let count) = argument(0, "linecount") { size = min(max(1, count), max(1, items.count)) }
            return .array(stride(from: 0, to: items.count, by: size).map { .array(Array(items[$0..<min($0 + size, items.count)])) })
        default:
            throw runtimeError("No filter named '\(name)'.")
        }
    }

    /// An attribute path such as `"function.name"`, as filters take it.
    static func lookup(_ item: Value, _ path: Value) throws(JinjaError) -> Value {
        if case .int = path { return try item.item(path) }
        var current = item
        for part in path.text.split(separator: ".") {
            current = try current.item(Int(part).map { .int($0) } ?? .string(String(part)))
        }
        return current
    }

    private static func lowered(_ value: Value) -> Value {
        if case .string(let text) = value { return .string(text.lowercased()) }
        return value
    }

    private static func stableSort(_ items: [Value], reverse: Bool, key: (Value) throws(JinjaError) -> Value) throws(JinjaError) -> [Value] {
        try RenderBudget.spend(RenderBudget.product(items.count, Int.bitWidth - items.count.leadingZeroBitCount + 1))
        var keyed: [(key: Value, offset: Int, item: Value)] = []
        for (offset, item) in items.enumerated() { keyed.append((try key(item), offset, item)) }
        var failure: JinjaError?
        keyed.sort { a, b in
            if a.key == b.key { return a.offset < b.offset }
            do throws(JinjaError) {
                return try reverse ? b.key.isLess(than: a.key, orEqual: false) : a.key.isLess(than: b.key, orEqual: false)
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        return keyed.map(\.item)
    }

    /// `text` escaped, to follow `prefix` in one string: checked against the render's limits
    /// first (an escape takes at most six bytes for one).
    static func htmlEscaped(_ text: String, after prefix: String) throws(JinjaError) -> String {
        try RenderBudget.reserve(bytes: RenderBudget.sum(prefix.utf8.count, RenderBudget.product(text.utf8.count, 6)))
        return htmlEscaped(text)
    }

    /// Items' texts joined, checked against the render's limits before the join.
    static func joined(_ items: [Value], separator: String) throws(JinjaError) -> String {
        let texts = items.map(\.text)
        let separators = RenderBudget.product(separator.utf8.count, texts.count)
        try RenderBudget.reserve(bytes: texts.reduce(separators) { RenderBudget.sum($0, $1.utf8.count) })
        return texts.joined(separator: separator)
    }

    /// Python's `int()` of a float, within 64 bits.
    static func integer(_ number: Double) throws(JinjaError) -> Int {
        guard let value = Int(exactly: number.rounded(.towardZero)) else { throw runtimeError("int() of \(number) is too large") }
        return value
    }

    static func htmlEscaped(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&#34;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }

    /// Jinja2 3.1's `indent`, including its quirk of appending a newline before splitting lines.
    private static func indent(_ text: String, by indentation: String, first: Bool, blank: Bool) -> String {
        let lines = PythonText.splitLines(text + "\n")
        var output: String
        if blank {
            output = lines.joined(separator: "\n" + indentation)
        } else {
            output = lines.first ?? ""
            let rest = lines.dropFirst()
            if !rest.isEmpty { output += "\n" + rest.map { $0.isEmpty ? $0 : indentation + $0 }.joined(separator: "\n") }
        }
        return first ? indentation + output : output
    }

    /// `map('filter', …)` or `map(attribute='name', default=…)`.
    private static func mapped(_ items: [Value], _ arguments: Value.Arguments) throws(JinjaError) -> [Value] {
        try RenderBudget.spend(items.count)
        if let attribute = arguments.keyword.first(where: { $0.0 == "attribute" })?.1 {
            let fallback = arguments.keyword.first { $0.0 == "default" }?.1
            return try items.map { item throws(JinjaError) in
                let value = try lookup(item, attribute)
                return value.isUndefined ? fallback ?? value : value
            }
        }
        guard let filter = arguments.positional.first else { throw runtimeError("map requires a filter argument") }
        let rest = Value.Arguments(Array(arguments.positional.dropFirst()), keyword: arguments.keyword)
        return try items.map { item throws(JinjaError) in try apply(filter.text, to: item, rest) }
    }

    /// `select`/`reject` by a test, and `selectattr`/`rejectattr` by an attribute and a test.
    private static func selected(_ items: [Value], filter: String, _ arguments: Value.Arguments) throws(JinjaError) -> [Value] {
        try RenderBudget.spend(items.count)
        var positional = arguments.positional
        let byAttribute = filter.hasSuffix("attr")
        let keep = filter.hasPrefix("select")
        let attribute: Value? = byAttribute && !positional.isEmpty ? positional.removeFirst() : nil
        if byAttribute, attribute == nil { throw runtimeError("\(filter) requires an attribute") }
        let test = positional.isEmpty ? nil : positional.removeFirst().text
        var kept: [Value] = []
        for item in items {
            let subject = try attribute.map { name throws(JinjaError) in try lookup(item, name) } ?? item
            let passes = try test.map { name throws(JinjaError) in try BuiltinTests.check(name, subject, positional) } ?? subject.isTruthy
            if passes == keep { kept.append(item) }
        }
        return kept
    }
}
