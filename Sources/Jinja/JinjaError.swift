/// A template that does not parse, or that fails while rendering.
public enum JinjaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The source does not parse; `line` and `column` are 1-based.
    case syntax(String, line: Int, column: Int)
    /// Rendering failed (an undefined value used, a wrong type, …) in the statement or output
    /// tag that starts at `line` and `column`.
    case runtime(String, line: Int, column: Int)
    /// The template called `raise_exception(message)`.
    case raised(String)
    /// The render went past one of its ``RenderLimits`` (steps, time, the size of a value).
    case exceeded(String)
    /// The render was stopped by its caller (``RenderLimits/isCancelled``).
    case cancelled

    public var description: String {
        switch self {
        case .syntax(let message, let line, let column): "syntax error at line \(line), column \(column): \(message)"
        case .runtime(let message, let line, let column): "error at line \(line), column \(column): \(message)"
        case .raised(let message): message
        case .exceeded(let message): "the template went past its limits: \(message)"
        case .cancelled: "the render was cancelled"
        }
    }
}
