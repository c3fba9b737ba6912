/// The Python methods of `str`, `dict` and `list` that the sandbox lets templates call.
extension Value {
    /// Methods that change a list or dict; Hugging Face's immutable sandbox refuses them.
    private static let mutatingMethods: Set<String> = [
        "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update", "setdefault", "popitem",
    ]

    /// The bound method `name` of this value, or nil when it has none.
    func method(_ name: String) throws(JinjaError) -> Value? {
        let body: (@Sendable (Arguments) throws(JinjaError) -> Value)?
        switch plain {
        case .string(let text): body = Self.stringMethod(name, text)
        case .object(let object): body = Self.dictionaryMethod(name, object)
        case .array(let values): body = Self.listMethod(name, values)
        default: body = nil
        }
        if let body { return .callable(Callable(name: name, function: body)) }
        if case .array = self, Self.mutatingMethods.contains(name) { return unsafe(name) }
        if case .object = self, Self.mutatingMethods.contains(name) { return unsafe(name) }
        return nil
    }

    private func unsafe(_ name: String) -> Value {
        let message = "access to attribute '\(name)' of '\(typeName)' object is unsafe."
        return .callable(Callable(name: name) { _ throws(JinjaError) in throw runtimeError(message) })
    }

    private static func dictionaryMethod(_ name: String, _ object: Object) -> (@Sendable (Arguments) throws(JinjaError) -> Value)? {
        switch name {
        case "items": { _ in .array(object.entries.map { .array([$0.0, $0.1]) }) }
        case "keys": { _ in .array(object.keyValues) }
        case "values": { _ in .array(object.pairs.map(\.1)) }
        case "get": { arguments in object[key: arguments.value(0, "key") ?? .none] ?? arguments.value(1, "default") ?? .none }
        case "copy": { _ in .object(object) }
        default: nil
        }
    }

    private static func listMethod(_ name: String, _ values: [Value]) -> (@Sendable (Arguments) throws(JinjaError) -> Value)? {
        switch name {
        case "index":
            { arguments throws(JinjaError) in
                let element = arguments.value(0, "value") ?? .none
                guard let index = values.firstIndex(of: element) else { throw runtimeError("\(element.repr) is not in list") }
                return .int(index)
            }
        case "count": { arguments in .int(values.filter { $0 == arguments.value(0, "value") ?? .none }.count) }
        case "copy": { _ in .array(values) }
        default: nil
        }
    }

    private static func stringMethod(_ name: String, _ text: String) -> (@Sendable (Arguments) throws(JinjaError) -> Value)? {
        @Sendable func characters(_ arguments: Arguments) -> String? {
            if case .string(let chars) = arguments.value(0, "chars") { return chars }
            return nil
        }
        switch name {
        case "strip": return { arguments in .string(PythonText.strip(text, characters(arguments), leading: true, trailing: true)) }
        case "lstrip": return { arguments in .string(PythonText.strip(text, characters(arguments), leading: true, trailing: false)) }
        case "rstrip": return { arguments in .string(PythonText.strip(text, characters(arguments), leading: false, trailing: true)) }
        case "upper": return { _ in .string(text.uppercased()) }
        case "lower": return { _ in .string(text.lowercased()) }
        case "title": return { _ in .string(PythonText.title(text)) }
        case "capitalize": return { _ in .string(PythonText.capitalize(text)) }
        case "split", "rsplit":
            return { arguments throws(JinjaError) in
                var separator: String?
                if case .string(let value) = arguments.value(0, "sep") { separator = value }
                if separator == "" { throw runtimeError("empty separator") }
                var limit = -1
                if case .int(let value) = arguments.value(1, "maxsplit") { limit = value }
                return .array(try PythonText.split(text, separator, limit: limit, fromEnd: name == "rsplit").map { .string($0) })
            }
        case "splitlines": return { _ in .array(PythonText.splitLines(text).map { .string($0) }) }
        case "startswith", "endswith":
            return { arguments throws(JinjaError) in
                let candidates: [Value]
                switch arguments.value(0, "prefix") {
                case .string(let value): candidates = [.string(value)]
                case .array(let values): candidates = values
                default: throw runtimeError("\(name) first arg must be str or a tuple of str")
                }
                let scalars = Array(text.unicodeScalars)
                return .bool(
                    candidates.contains { candidate in
                        let part = Array(candidate.text.unicodeScalars)
                        return name == "startswith" ? scalars.starts(with: part) : scalars.reversed().starts(with: part.reversed())
                    }
                )
            }
        case "replace":
            return { arguments throws(JinjaError) in
                var limit = -1
                if case .int(let value) = arguments.value(2, "count") { limit = value }
                return .string(
                    try PythonText.replace(text, arguments.value(0, "old")?.text ?? "", arguments.value(1, "new")?.text ?? "", limit: limit)
                )
            }
        case "find", "rfind", "index", "rindex":
            return { arguments throws(JinjaError) in
                let needle = arguments.value(0, "sub")?.text ?? ""
                let found = name.hasPrefix("r") ? try PythonText.lastIndex(of: needle, in: text) : try PythonText.index(of: needle, in: text)
                if found == nil, name.hasSuffix("index") { throw runtimeError("substring not found") }
                return .int(found ?? -1)
            }
        case "count": return { arguments throws(JinjaError) in .int(try PythonText.count(of: arguments.value(0, "sub")?.text ?? "", in: text)) }
        case "join":
            return { arguments throws(JinjaError) in
                .string(try Filters.joined(try (arguments.value(0, "iterable") ?? .array([])).iterated(), separator: text))
            }
        case "format": return { arguments throws(JinjaError) in .string(try PythonText.format(text, arguments)) }
        case "isdigit":
            return { _ in
                .bool(
                    !text.isEmpty && text.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit }
                )
            }
        case "isalpha": return { _ in .bool(!text.isEmpty && text.unicodeScalars.allSatisfy(\.properties.isAlphabetic)) }
        case "isspace": return { _ in .bool(!text.isEmpty && text.unicodeScalars.allSatisfy(PythonText.isSpace)) }
        case "isupper": return { _ in .bool(text.contains { $0.isCased } && text == text.uppercased()) }
        case "islower": return { _ in .bool(text.contains { $0.isCased } && text == text.lowercased()) }
        default: return nil
        }
    }
}
