/// A template that does not parse, or that fails while rendering.
public enum JinjaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The source does not parse; `line` and `column` are 1-based.
    case syntax(String, line: Int, column: Int)
    /// Rendering failed (an undefined value used, a wrong type, …) in the statement or output
    /// tag that starts at `line` and `column`.
    case runtime(String, line: Int, column: Int)
    /// The template called `raise_exception(message)`.
    case raised(String)

    public var description: String {
        switch self {
        case .syntax(let message, let line, let column): "syntax error at line \(line), column \(column): \(message)"
        case .runtime(let message, let line, let column): "error at line \(line), column \(column): \(message)"
        case .raised(let message): message
        }
    }
}
