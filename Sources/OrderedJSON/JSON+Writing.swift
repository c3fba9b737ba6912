extension JSON {
    /// The compact serialization (no spaces; non-ASCII text as UTF-8; `/` unescaped).
    public var serialized: String {
        var output = ""
        output.reserveCapacity(256)
        write(to: &output)
        return output
    }

    public func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .double(let value): output += value.isFinite ? String(value) : "null"
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output += "," }
                Self.writeString(key, to: &output)
                output += ":"
                value.write(to: &output)
            }
            output += "}"
        }
    }

    private static let hexDigits = Array("0123456789abcdef")

    /// Writes `text` as a JSON string. With `ensureASCII`, every scalar above U+007E is written
    /// as `\uXXXX` (a surrogate pair above U+FFFF), as Python's `json.dumps` does by default.
    public static func writeString(_ text: String, to output: inout String, ensureASCII: Bool = false) {
        output += "\""
        for scalar in text.unicodeScalars {
            if let escaped = BackslashEscape.common(scalar, quote: "\"") {
                output += escaped
                continue
            }
            switch scalar {
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case _ where scalar.value < 0x20 || (ensureASCII && scalar.value > 0x7E):
                if scalar.value > 0xFFFF {
                    let value = scalar.value - 0x10000
                    writeEscape(0xD800 + (value >> 10), to: &output)
                    writeEscape(0xDC00 + (value & 0x3FF), to: &output)
                } else {
                    writeEscape(scalar.value, to: &output)
                }
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    private static func writeEscape(_ code: UInt32, to output: inout String) {
        output += "\\u"
        for shift in stride(from: 12, through: 0, by: -4) { output.append(hexDigits[Int((code >> UInt32(shift)) & 0xF)]) }
    }
}
