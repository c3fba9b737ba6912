import Foundation
import OrderedJSON

extension Value {
    /// Python's `json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sortKeys)`, which
    /// is what Hugging Face's `tojson` filter runs.
    /// `separators` replaces the item and key separators, as `json.dumps` allows.
    /// A value whose JSON would pass the running render's limit of one value gives "" and stops
    /// the render.
    public func json(indent: Int? = nil, sortKeys: Bool = false, ensureASCII: Bool = false, separators: (String, String)? = nil) -> String {
        guard fitsAsText(indent: max(0, indent ?? 0)) else { return "" }
        var output = ""
        let format = JSONFormat(
            indent: indent,
            sortKeys: sortKeys,
            ensureASCII: ensureASCII,
            itemSeparator: separators?.0 ?? (indent == nil ? ", " : ","),
            keySeparator: separators?.1 ?? ": "
        )
        writeJSON(to: &output, format, level: 0)
        return output
    }

    private struct JSONFormat {
        let indent: Int?
        let sortKeys: Bool
        let ensureASCII: Bool
        let itemSeparator: String
        let keySeparator: String

        func newline(_ level: Int) -> String { indent.map { "\n" + String(repeating: " ", count: max(0, $0) * level) } ?? "" }
    }

    private func writeJSON(to output: inout String, _ format: JSONFormat, level: Int) {
        let ensureASCII = format.ensureASCII
        // Past this depth fitsAsText has already refused the value; a namespace that holds
        // itself would recurse for ever.
        guard level < Self.maximumTextDepth else {
            output += "null"
            return
        }
        switch self {
        case .undefined, .none: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .double(let value):
            output += value.isNaN ? "NaN" : value.isInfinite ? (value < 0 ? "-Infinity" : "Infinity") : Self.pythonFloat(value)
        case .string(let value), .markup(let value): Self.writeJSONString(value, to: &output, ensureASCII: ensureASCII)
        case .array(let values):
            guard !values.isEmpty else {
                output += "[]"
                return
            }
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += format.itemSeparator }
                output += format.newline(level + 1)
                value.writeJSON(to: &output, format, level: level + 1)
            }
            output += format.newline(level) + "]"
        case .object(let object):
            Self.writeJSONObject(object.pairs, to: &output, format, level: level)
        case .namespace(let namespace):
            Self.writeJSONObject(namespace.attributes.pairs, to: &output, format, level: level)
        case .callable(let callable): Self.writeJSONString(callable.name, to: &output, ensureASCII: ensureASCII)
        case .macro(let macro): Self.writeJSONString(macro.definition.name, to: &output, ensureASCII: ensureASCII)
        }
    }

    private static func writeJSONObject(_ pairs: [(String, Value)], to output: inout String, _ format: JSONFormat, level: Int) {
        guard !pairs.isEmpty else {
            output += "{}"
            return
        }
        var pairs = pairs
        if format.sortKeys { pairs.sort { Array($0.0.unicodeScalars).lexicographicallyPrecedes(Array($1.0.unicodeScalars)) } }
        output += "{"
        for (index, (key, value)) in pairs.enumerated() {
            if index > 0 { output += format.itemSeparator }
            output += format.newline(level + 1)
            writeJSONString(key, to: &output, ensureASCII: format.ensureASCII)
            output += format.keySeparator
            value.writeJSON(to: &output, format, level: level + 1)
        }
        output += format.newline(level) + "}"
    }

    private static func writeJSONString(_ text: String, to output: inout String, ensureASCII: Bool) {
        JSON.writeString(text, to: &output, ensureASCII: ensureASCII)
    }
}

extension Value {
    /// Parses JSON text, keeping integers and floats apart and objects in their order.
    public init(jsonText: String) throws(JinjaError) {
        do {
            self.init(try JSON(parsing: jsonText))
        } catch {
            throw .syntax("invalid JSON: \(error.reason)", line: 1, column: error.offset + 1)
        }
    }

    /// The template value of a JSON value: objects keep their order, `null` is `none`.
    public init(_ json: JSON) {
        switch json {
        case .null: self = .none
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .array(let values): self = .array(values.map(Value.init))
        case .object(let members): self = .object(Object(members.map { ($0.0, Value($0.1)) }))
        }
    }
}
