/// Why a schema, pattern or tool list cannot become a grammar.
///
/// Hearth never falls back to unconstrained text: each of these becomes a 400 that names the
/// request field (the server adds it) and, here, the keyword and where it is.
public enum StructuredOutputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A JSON Schema keyword the converter cannot express, at a JSON pointer into the schema.
    case unsupportedKeyword(String, path: String)
    /// A schema value that is not what its keyword needs (a `required` that is not a list, …).
    case invalidSchema(String, path: String)
    /// A regular expression outside the supported subset, or malformed.
    case unsupportedPattern(String, pattern: String)
    /// A tool or tool choice that cannot be used (unknown name, malformed declaration).
    case invalidTool(String)

    public var description: String {
        switch self {
        case .unsupportedKeyword(let keyword, let path):
            "the schema keyword '\(keyword)' at '\(path.isEmpty ? "/" : path)' is not supported for constrained output"
        case .invalidSchema(let reason, let path): "the schema at '\(path.isEmpty ? "/" : path)' is invalid: \(reason)"
        case .unsupportedPattern(let reason, let pattern): "the regular expression '\(pattern)' is not supported: \(reason)"
        case .invalidTool(let reason): reason
        }
    }
}
