/// A template that does not parse, or that fails while rendering.
public enum JinjaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The source does not parse; `line` and `column` are 1-based.
    case syntax(String, line: Int, column: Int)
    /// Rendering failed (an undefined value used, a wrong type, …) at `line`.
    case runtime(String, line: Int)
    /// The template called `raise_exception(message)`.
    case raised(String)

    public var description: String {
        switch self {
        case .syntax(let message, let line, let column): "syntax error at line \(line), column \(column): \(message)"
        case .runtime(let message, let line): "error at line \(line): \(message)"
        case .raised(let message): message
        }
    }
}
