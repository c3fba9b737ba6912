import Foundation
import OrderedJSON
import Synchronization

/// A value inside a template, with Python's semantics as Jinja2 gives them (truthiness, `str()`,
/// equality, ordering).
public indirect enum Value: Sendable {
    /// A name or member that does not exist. Renders as empty, is false, and fails when used.
    case undefined(String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    /// A string marked safe (`|safe`, `|escape`): Python's `Markup`. Adding a plain string to it
    /// HTML-escapes that string, as in Jinja2.
    case markup(String)
    case array([Value])
    case object(Object)
    /// A bound method or a global function.
    case callable(Callable)
    /// A `{% macro %}` (or a `{% call %}` block's `caller`), run by the interpreter that made it.
    case macro(Macro)
    /// `namespace()`: the one mutable object, shared by reference.
    case namespace(Namespace)

    /// A dictionary that keeps its insertion order, as Python's does. Keys are strings, or
    /// numbers (dict literals such as `{4096: 512}`), which are stored under a private spelling.
    public struct Object: Sendable {
        public private(set) var keys: [String] = []
        public private(set) var storage: [String: Value] = [:]
        /// The original key of every non-string key, by its stored spelling.
        private var numericKeys: [String: Value] = [:]

        public init() {}
        public init(_ pairs: [(String, Value)]) { for (key, value) in pairs { self[key] = value } }

        /// Built in one step from keys known to be distinct.
        init(distinctKeys pairs: [(String, Value)]) {
            keys = pairs.map(\.0)
            storage = Dictionary(uniqueKeysWithValues: pairs)
        }

        public subscript(key: String) -> Value? {
            get { storage[key] }
            set {
                if storage[key] == nil, newValue != nil { keys.append(key) }
                if newValue == nil, storage[key] != nil { keys.removeAll { $0 == key } }
                storage[key] = newValue
            }
        }

        /// Lookup and assignment by any hashable template value, with Python's `1 == 1.0 == True`.
        subscript(key key: Value) -> Value? {
            get { Self.spelling(of: key).flatMap { storage[$0] } }
            set {
                guard let spelling = Self.spelling(of: key) else { return }
                if case .string = key {} else { numericKeys[spelling] = key }
                self[spelling] = newValue
            }
        }

        private static func spelling(of key: Value) -> String? {
            switch key {
            case .string(let text), .markup(let text): text
            case .int(let number): "\u{0}\(number)"
            case .bool(let flag): flag ? "\u{0}1" : "\u{0}0"
            case .double(let number): number == number.rounded() && abs(number) < 1e18 ? "\u{0}\(Int(number))" : "\u{0}\(number)"
            case .none: "\u{0}None"
            default: nil
            }
        }

        /// The keys as the template sees them.
        var keyValues: [Value] { keys.map { numericKeys[$0] ?? .string($0) } }

        /// Keys as text (how `tojson` writes them) with their values.
        public var pairs: [(String, Value)] { keys.map { (numericKeys[$0]?.text ?? $0, storage[$0]!) } }
        var entries: [(Value, Value)] { keys.map { (numericKeys[$0] ?? .string($0), storage[$0]!) } }
        public var count: Int { keys.count }
    }

    /// Something a template can call.
    public struct Callable: Sendable {
        let name: String
        let function: @Sendable (Arguments) throws(JinjaError) -> Value
    }

    /// A macro: its definition and the scopes around it when it was defined. Immutable data, so
    /// the value stays `Sendable` without holding on to the interpreter; a class, so that a
    /// `Value` stays as small as its other cases make it.
    public final class Macro: Sendable {
        let definition: MacroDefinition
        let capturedScopes: [[String: Value]]

        init(definition: MacroDefinition, capturedScopes: [[String: Value]]) {
            self.definition = definition
            self.capturedScopes = capturedScopes
        }
    }

    /// Positional and keyword arguments of a call.
    public struct Arguments: Sendable {
        public var positional: [Value]
        public var keyword: [(String, Value)]
        /// Set by the interpreter for macros called from `{% call %}`.
        var caller: Value?

        public init(_ positional: [Value], keyword: [(String, Value)] = []) {
            self.positional = positional
            self.keyword = keyword
        }

        /// The argument at `index`, or the keyword `name`.
        public func value(_ index: Int, _ name: String) -> Value? {
            if let pair = keyword.first(where: { $0.0 == name }) { return pair.1 }
            return index >= 0 && index < positional.count ? positional[index] : nil
        }
    }

    /// The attributes of a `namespace()` object: the one mutable value, shared by reference
    /// within a render. The lock makes it `Sendable` by construction; it is never contended.
    public final class Namespace: Sendable {
        private let storage: Mutex<Object>
        init(_ attributes: Object) { storage = Mutex(attributes) }

        var attributes: Object { storage.withLock { $0 } }

        subscript(name: String) -> Value? {
            get { storage.withLock { $0[name] } }
            set { storage.withLock { $0[name] = newValue } }
        }
    }
}

extension Value {
    /// Python truthiness.
    public var isTruthy: Bool {
        switch self {
        case .undefined, .none: false
        case .bool(let value): value
        case .int(let value): value != 0
        case .double(let value): value != 0
        case .string(let value), .markup(let value): !value.isEmpty
        case .array(let values): !values.isEmpty
        case .object(let object): object.count > 0
        case .callable, .macro, .namespace: true
        }
    }

    public var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// Python's `str()`: what `{{ value }}` writes.
    public var text: String {
        switch self {
        case .undefined: ""
        case .string(let value), .markup(let value): value
        default: repr
        }
    }

    /// Python's `repr()`, used inside containers. A container whose text would pass the render's
    /// limit of one value (or nest deeper than ``maximumTextDepth``) gives "" and stops the render.
    public var repr: String {
        switch self {
        case .array, .object, .namespace: fitsAsText(indent: 0) ? repr(depth: 0) : ""
        default: repr(depth: 0)
        }
    }

    /// Nesting that text and JSON conversions follow; deeper is a namespace that contains
    /// itself, or a structure built only to exhaust the stack.
    static let maximumTextDepth = 512

    private func repr(depth: Int) -> String {
        guard depth < Self.maximumTextDepth else { return "..." }
        return switch self {
        case .undefined: ""
        case .none: "None"
        case .bool(let value): value ? "True" : "False"
        case .int(let value): String(value)
        case .double(let value): Self.pythonFloat(value)
        case .string(let value): Self.pythonRepr(value)
        case .markup(let value): "Markup(" + Self.pythonRepr(value) + ")"
        case .array(let values): "[" + values.map { $0.repr(depth: depth + 1) }.joined(separator: ", ") + "]"
        case .object(let object):
            "{" + object.entries.map { $0.0.repr(depth: depth + 1) + ": " + $0.1.repr(depth: depth + 1) }.joined(separator: ", ") + "}"
        case .callable(let callable): "<function \(callable.name)>"
        case .macro(let macro): "<Macro '\(macro.definition.name)'>"
        case .namespace(let namespace): "<Namespace " + Value.object(namespace.attributes).repr(depth: depth + 1) + ">"
        }
    }

    /// Whether containers inside this one go more than `limit` levels down (a namespace that
    /// holds itself always does); `visited` counts the values looked at.
    func nests(deeperThan limit: Int, visited: inout Int) -> Bool {
        visited += 1
        let children: [Value]
        switch self {
        case .array(let values): children = values
        // The stored values: depth does not need the keys' text that `pairs` spells out.
        case .object(let object): children = Array(object.storage.values)
        case .namespace(let namespace): children = Array(namespace.attributes.storage.values)
        default: return false
        }
        guard limit > 0 else { return true }
        for child in children where child.nests(deeperThan: limit - 1, visited: &visited) { return true }
        return false
    }

    /// Whether this value's text (its repr, or its JSON indented by `indent` a level) fits the
    /// running render's limit of one value. When it does not, the render is told to stop.
    func fitsAsText(indent: Int) -> Bool {
        let limit = RenderBudget.current?.limits.valueBytes ?? RenderLimits.standard.valueBytes
        var size = 0
        guard addTextSize(to: &size, indent: indent, depth: 0, limit: limit) else {
            RenderBudget.current?.fail(.exceeded("a value's text grows past \(limit >> 20) MiB or nests too deep"))
            return false
        }
        return true
    }

    /// Adds the fewest bytes this value's text can take; false as soon as the total passes
    /// `limit` or the nesting passes ``maximumTextDepth``.
    private func addTextSize(to size: inout Int, indent: Int, depth: Int, limit: Int) -> Bool {
        guard depth < Self.maximumTextDepth else { return false }
        let lineBreak = RenderBudget.sum(2, RenderBudget.product(indent, depth + 1))
        switch self {
        case .string(let text), .markup(let text): size = RenderBudget.sum(size, RenderBudget.sum(text.utf8.count, 2))
        case .array(let values):
            size = RenderBudget.sum(size, 2)
            for value in values {
                size = RenderBudget.sum(size, lineBreak)
                guard size <= limit, value.addTextSize(to: &size, indent: indent, depth: depth + 1, limit: limit) else { return false }
            }
        case .object(let object):
            size = RenderBudget.sum(size, 2)
            for (key, value) in object.entries {
                size = RenderBudget.sum(size, lineBreak)
                guard size <= limit, key.addTextSize(to: &size, indent: indent, depth: depth + 1, limit: limit),
                    value.addTextSize(to: &size, indent: indent, depth: depth + 1, limit: limit)
                else { return false }
            }
        case .namespace(let namespace):
            return Value.object(namespace.attributes).addTextSize(to: &size, indent: indent, depth: depth + 1, limit: limit)
        default: size = RenderBudget.sum(size, 4)
        }
        return size <= limit
    }

    /// Python's float repr: shortest round-trip digits, always with a dot or exponent.
    static func pythonFloat(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e16 { return String(format: "%.1f", value) }
        var text = "\(value)"
        // Swift writes 1e-05 as "1e-05" like Python, but 1e+16 as "1e+16": the same.
        if let range = text.range(of: "e") {
            let mantissa = text[..<range.lowerBound]
            var exponent = String(text[range.upperBound...])
            let sign = exponent.hasPrefix("-") ? "-" : "+"
            exponent = String(exponent.drop { $0 == "-" || $0 == "+" })
            if exponent.count < 2 { exponent = "0" + exponent }
            text = mantissa + "e" + sign + exponent
        }
        return text
    }

    /// Python's `repr()` of a string: single quotes unless the text has one and no double quote.
    static func pythonRepr(_ text: String) -> String {
        let quote: Unicode.Scalar = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var output = String(quote)
        for scalar in text.unicodeScalars {
            if let escaped = BackslashEscape.common(scalar, quote: quote) {
                output += escaped
            } else if scalar.value < 0x20 || scalar.value == 0x7F {
                output += String(format: "\\x%02x", scalar.value)
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output + String(quote)
    }

    /// The name Python gives the type, for error messages.
    var typeName: String {
        switch self {
        case .undefined: "Undefined"
        case .none: "NoneType"
        case .bool: "bool"
        case .int: "int"
        case .double: "float"
        case .string: "str"
        case .markup: "Markup"
        case .array: "list"
        case .object: "dict"
        case .callable: "function"
        case .macro: "Macro"
        case .namespace: "Namespace"
        }
    }

    /// A `Markup` value as a plain string; every other value as it is. Operations that Markup
    /// does not change behave on the plain string.
    var plain: Value {
        if case .markup(let text) = self { return .string(text) }
        return self
    }

    var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        case .bool(let value): value ? 1 : 0
        default: nil
        }
    }
}

extension Value: Equatable {
    /// Python `==`: numbers compare by value across int, float and bool.
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.undefined, .undefined), (.none, .none): true
        case (.string(let a), .string(let b)), (.markup(let a), .markup(let b)), (.string(let a), .markup(let b)),
            (.markup(let a), .string(let b)):
            a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && a.entries.allSatisfy { b[key: $0.0] == $0.1 }
        case (.namespace(let a), .namespace(let b)): a === b
        default:
            if let a = lhs.number, let b = rhs.number { a == b } else { false }
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) { self = .object(Object(elements)) }
}
