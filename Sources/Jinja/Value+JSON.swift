import Foundation

extension Value {
    /// Python's `json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sortKeys)`, which
    /// is what Hugging Face's `tojson` filter runs.
    /// `separators` replaces the item and key separators, as `json.dumps` allows.
    public func json(indent: Int? = nil, sortKeys: Bool = false, ensureASCII: Bool = false, separators: (String, String)? = nil) -> String {
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

        func newline(_ level: Int) -> String { indent.map { "\n" + String(repeating: " ", count: $0 * level) } ?? "" }
    }

    private func writeJSON(to output: inout String, _ format: JSONFormat, level: Int) {
        let ensureASCII = format.ensureASCII
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
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case _ where scalar.value < 0x20 || (ensureASCII && scalar.value > 0x7E):
                if scalar.value > 0xFFFF {
                    let value = scalar.value - 0x10000
                    output += String(format: "\\u%04x\\u%04x", 0xD800 + (value >> 10), 0xDC00 + (value & 0x3FF))
                } else {
                    output += String(format: "\\u%04x", scalar.value)
                }
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

extension Value {
    /// Parses JSON text, keeping integers and floats apart and objects in their order.
    public init(jsonText: String) throws(JinjaError) {
        var parser = JSONReader(scalars: Array(jsonText.unicodeScalars))
        self = try parser.readDocument()
    }
}

/// A small JSON reader for template contexts (conversations and tools as JSON text).
private struct JSONReader {
    let scalars: [Unicode.Scalar]
    var position = 0

    mutating func readDocument() throws(JinjaError) -> Value {
        let value = try readValue()
        skipSpace()
        guard position == scalars.count else { throw fail("trailing characters") }
        return value
    }

    private func fail(_ message: String) -> JinjaError { .syntax("invalid JSON: \(message)", line: 1, column: position + 1) }

    private mutating func skipSpace() {
        while position < scalars.count, [" ", "\n", "\r", "\t"].contains(scalars[position]) { position += 1 }
    }

    private mutating func readValue() throws(JinjaError) -> Value {
        skipSpace()
        guard position < scalars.count else { throw fail("unexpected end") }
        switch scalars[position] {
        case "{":
            position += 1
            var object = Value.Object()
            skipSpace()
            if position < scalars.count, scalars[position] == "}" {
                position += 1
                return .object(object)
            }
            while true {
                skipSpace()
                guard case .string(let key) = try readValue() else { throw fail("object keys must be strings") }
                skipSpace()
                guard position < scalars.count, scalars[position] == ":" else { throw fail("expected ':'") }
                position += 1
                object[key] = try readValue()
                skipSpace()
                guard position < scalars.count else { throw fail("unexpected end") }
                position += 1
                if scalars[position - 1] == "}" { return .object(object) }
                guard scalars[position - 1] == "," else { throw fail("expected ',' or '}'") }
            }
        case "[":
            position += 1
            var values: [Value] = []
            skipSpace()
            if position < scalars.count, scalars[position] == "]" {
                position += 1
                return .array(values)
            }
            while true {
                values.append(try readValue())
                skipSpace()
                guard position < scalars.count else { throw fail("unexpected end") }
                position += 1
                if scalars[position - 1] == "]" { return .array(values) }
                guard scalars[position - 1] == "," else { throw fail("expected ',' or ']'") }
            }
        case "\"":
            return .string(try readString())
        case "t", "f", "n":
            for (word, value) in [("true", Value.bool(true)), ("false", .bool(false)), ("null", .none)] where matches(word) {
                position += word.unicodeScalars.count
                return value
            }
            throw fail("unexpected word")
        default:
            let start = position
            while position < scalars.count, "+-0123456789.eE".unicodeScalars.contains(scalars[position]) { position += 1 }
            let text = String(String.UnicodeScalarView(scalars[start..<position]))
            if let value = Int(text) { return .int(value) }
            if let value = Double(text) { return .double(value) }
            throw fail("bad number '\(text)'")
        }
    }

    private func matches(_ word: String) -> Bool {
        let word = Array(word.unicodeScalars)
        return position + word.count <= scalars.count && Array(scalars[position..<position + word.count]) == word
    }

    private mutating func readString() throws(JinjaError) -> String {
        position += 1
        var output = String.UnicodeScalarView()
        while position < scalars.count {
            let scalar = scalars[position]
            position += 1
            switch scalar {
            case "\"": return String(output)
            case "\\":
                guard position < scalars.count else { throw fail("unexpected end") }
                let escape = scalars[position]
                position += 1
                switch escape {
                case "n": output.append("\n")
                case "t": output.append("\t")
                case "r": output.append("\r")
                case "b": output.append("\u{08}")
                case "f": output.append("\u{0C}")
                case "u":
                    var code = try readHex()
                    if (0xD800..<0xDC00).contains(code), matches("\\u") {
                        position += 2
                        let low = try readHex()
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    output.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                default: output.append(escape)
                }
            default: output.append(scalar)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func readHex() throws(JinjaError) -> UInt32 {
        guard position + 4 <= scalars.count, let code = UInt32(String(String.UnicodeScalarView(scalars[position..<position + 4])), radix: 16)
        else { throw fail("bad \\u escape") }
        position += 4
        return code
    }
}
