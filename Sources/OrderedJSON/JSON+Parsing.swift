/// Why a text is not JSON, with the byte offset where reading stopped.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var offset: Int
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSON {
    /// Deepest nesting of arrays and objects accepted; deeper input is refused instead of
    /// exhausting the stack (Foundation's decoder stops at the same depth).
    public static let maximumDepth = 512

    /// Parses UTF-8 JSON text (RFC 8259, strictly: no trailing commas, comments, NaN or
    /// unescaped control characters). Integers that fit `Int` stay integers.
    ///
    /// A key repeated in one object keeps its last value, as Python's `json` does, unless
    /// `rejectingDuplicateKeys` (request bodies: two parsers reading one body differently is how
    /// a proxy's checks are slipped past).
    public init(parsing bytes: some Collection<UInt8>, rejectingDuplicateKeys: Bool = false) throws(JSONParseError) {
        var parser = Parser(bytes: Array(bytes))
        parser.rejectsDuplicateKeys = rejectingDuplicateKeys
        self = try parser.document()
    }

    /// Parses JSON text.
    public init(parsing text: String) throws(JSONParseError) {
        try self.init(parsing: Array(text.utf8))
    }
}

private struct Parser {
    let bytes: [UInt8]
    var position = 0
    var depth = 0
    var rejectsDuplicateKeys = false

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(JSONParseError) -> JSON {
        let value = try self.value()
        skipSpace()
        guard position == bytes.count else { throw fail("unexpected text after the value") }
        return value
    }

    private func fail(_ reason: String) -> JSONParseError { JSONParseError(reason: reason, offset: position) }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipSpace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(JSONParseError) {
        skipSpace()
        guard current == byte else { throw fail("expected \(what)") }
        position += 1
    }

    private mutating func value() throws(JSONParseError) -> JSON {
        skipSpace()
        guard let byte = current else { throw fail("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try word("true", .bool(true))
        case UInt8(ascii: "f"): return try word("false", .bool(false))
        case UInt8(ascii: "n"): return try word("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character")
        }
    }

    private mutating func nest() throws(JSONParseError) {
        depth += 1
        guard depth <= JSON.maximumDepth else { throw fail("nested deeper than \(JSON.maximumDepth) levels") }
    }

    private mutating func object() throws(JSONParseError) -> JSON {
        try nest()
        defer { depth -= 1 }
        position += 1
        var members: [(String, JSON)] = []
        var index: [String: Int] = [:]
        skipSpace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try string()
            try expect(UInt8(ascii: ":"), "':'")
            let member = try value()
            if let existing = index[key] {
                if rejectsDuplicateKeys { throw fail("the key \"\(key)\" appears twice in one object") }
                members[existing].1 = member
            } else {
                index[key] = members.count
                members.append((key, member))
            }
            skipSpace()
            guard let byte = current else { throw fail("unexpected end of input") }
            position += 1
            if byte == UInt8(ascii: "}") { return .object(members) }
            guard byte == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
        }
    }

    private mutating func array() throws(JSONParseError) -> JSON {
        try nest()
        defer { depth -= 1 }
        position += 1
        var values: [JSON] = []
        skipSpace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(values)
        }
        while true {
            values.append(try value())
            skipSpace()
            guard let byte = current else { throw fail("unexpected end of input") }
            position += 1
            if byte == UInt8(ascii: "]") { return .array(values) }
            guard byte == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
        }
    }

    private mutating func word(_ text: StaticString, _ value: JSON) throws(JSONParseError) -> JSON {
        let length = text.utf8CodeUnitCount
        guard position + length <= bytes.count else { throw fail("unexpected end of input") }
        for offset in 0..<length where bytes[position + offset] != text.utf8Start[offset] { throw fail("unexpected word") }
        position += length
        return value
    }

    private mutating func number() throws(JSONParseError) -> JSON {
        let start = position
        var isInteger = true
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, isDigit(first) else { throw fail("expected a digit") }
        if first == UInt8(ascii: "0") {
            position += 1
        } else {
            skipDigits()
        }
        if current == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard let byte = current, isDigit(byte) else { throw fail("expected a digit after '.'") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let byte = current, isDigit(byte) else { throw fail("expected a digit in the exponent") }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let value = Int(text) { return .int(value) }
        guard let value = Double(text), value.isFinite else { throw fail("number out of range") }
        return .double(value)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = current, isDigit(byte) { position += 1 }
    }

    /// A string starting at the opening quote; escapes decoded, UTF-8 checked.
    private mutating func string() throws(JSONParseError) -> String {
        position += 1
        var output: [UInt8] = []
        var runStart = position
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                output += bytes[runStart..<position]
                position += 1
                guard let text = String(validating: output, as: UTF8.self) else { throw fail("invalid UTF-8 in a string") }
                return text
            case UInt8(ascii: "\\"):
                output += bytes[runStart..<position]
                position += 1
                try escape(into: &output)
                runStart = position
            case 0..<0x20:
                throw fail("unescaped control character in a string")
            default:
                position += 1
            }
        }
        throw fail("unterminated string")
    }

    private mutating func escape(into output: inout [UInt8]) throws(JSONParseError) {
        guard let byte = current else { throw fail("unexpected end of input") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(byte)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var code = try hex()
            if (0xD800..<0xDC00).contains(code), current == UInt8(ascii: "\\"), position + 1 < bytes.count,
                bytes[position + 1] == UInt8(ascii: "u")
            {
                let save = position
                position += 2
                let low = try hex()
                if (0xDC00..<0xE000).contains(low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    position = save
                }
            }
            // A lone surrogate cannot be UTF-8; it becomes U+FFFD, as Python's decoder keeps it
            // only in a str that could not be encoded anyway.
            output += Array(String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8)
        default:
            throw fail("invalid escape")
        }
    }

    private mutating func hex() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("unexpected end of input") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            code = code << 4 | digit
            position += 1
        }
        return code
    }
}
