import Foundation
import OrderedJSON

/// How long a model stays loaded after a request, as Ollama's `keep_alive` says it: a duration
/// (`"5m"`, `"1h30m"`, `"10s"`, or a number of seconds), `0` to unload it as soon as it is idle,
/// a negative value to keep it loaded. A duration longer than ``longest`` (ten years) keeps it
/// loaded too: nobody waits that long, and Go's own durations end at 292 years.
public enum OllamaKeepAlive: Sendable, Equatable {
    case forever
    /// Unload after this long without requests.
    case idle(Duration)

    /// The request's `keep_alive`, nil when it has none.
    /// - Throws: 400 naming `keep_alive` for anything else than a number or a duration.
    public static func read(_ json: JSON) throws(OpenAIError) -> OllamaKeepAlive? {
        switch json["keep_alive"] {
        case nil, .null?: return nil
        case .int(let seconds)?: return seconds < 0 ? .forever : seconds > longest ? .forever : .idle(.seconds(seconds))
        case .double(let seconds)?:
            guard let value = idle(seconds: seconds) else { break }
            return value
        case .string(let text)?:
            guard let value = parse(text) else { break }
            return value
        default: break
        }
        throw .invalidValue("keep_alive", "keep_alive must be a duration such as \"5m\" or \"30s\", a number of seconds, 0 or -1.")
    }

    /// Go's duration syntax as Ollama accepts it: a sequence of decimal numbers with the units
    /// `h`, `m`, `s`, `ms`; a bare number is seconds.
    static func parse(_ text: String) -> OllamaKeepAlive? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text) { return idle(seconds: seconds) }
        let negative = text.hasPrefix("-")
        var rest = Substring(negative ? String(text.dropFirst()) : text)
        var milliseconds = 0.0
        let units: [(String, Double)] = [("ms", 0.001), ("h", 3600), ("m", 60), ("s", 1)]
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let (unit, scale) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            milliseconds += value * scale * 1000
        }
        if text.isEmpty || text == "-" { return nil }
        return negative ? .forever : idle(seconds: milliseconds / 1000)
    }

    /// Ten years, in seconds: longer means for ever.
    static let longest = 10 * 365 * 24 * 3600

    /// A number of seconds as a keep-alive: negative or past ``longest`` (infinity included)
    /// for ever; nil for NaN.
    static func idle(seconds: Double) -> OllamaKeepAlive? {
        guard !seconds.isNaN else { return nil }
        if seconds < 0 || seconds > Double(longest) { return .forever }
        return .idle(.milliseconds(Int64((seconds * 1000).rounded())))
    }
}
