/// The backslash escapes that JSON, GBNF and Python string literals share, so that each writer
/// spells out only what is its own (JSON's `\b`, `\f` and `\u`, GBNF's and Python's `\x`).
public enum BackslashEscape {
    /// `\\`, `\n`, `\r`, `\t`, and `quote` after a backslash; `nil` for any other scalar.
    @inlinable
    public static func common(_ scalar: Unicode.Scalar, quote: Unicode.Scalar) -> String? {
        switch scalar {
        case "\\": "\\\\"
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        case quote: "\\" + String(quote)
        default: nil
        }
    }
}
