import Foundation
import Jinja

extension ChatPromptBuilder {
    /// text-generation-webui's automatic stop strings: two assistant and two user turns are
    /// rendered with placeholder texts, and the text between turns (a turn's end followed by
    /// the next turn's start) is cut down to its first tag (`<|im_end|>`, `[/INST]`) or, for
    /// plain-text formats, up to its first colon (`\nYou:`). A template that refuses such a
    /// conversation (many insist on alternating roles) yields none.
    static func derivedStopStrings(_ render: Renderer) -> [String] {
        func turnSeparators(role: String) -> (prefix: String, suffix: String)? {
            let first = "<<|hearth-message-1|>>"
            let second = "<<|hearth-message-2|>>"
            guard let prompt = try? render([message(role, first), message(role, second)], false),
                let firstEnd = prompt.range(of: first)?.upperBound,
                let secondRange = prompt.range(of: second, range: firstEnd..<prompt.endIndex)
            else { return nil }
            let between = String(prompt[firstEnd..<secondRange.lowerBound])
            let suffix = String(prompt[secondRange.upperBound...])
            guard between.hasPrefix(suffix) else { return nil }
            var prefix = String(between.dropFirst(suffix.count))
            while prefix.hasSuffix(" ") { prefix.removeLast() }
            return (prefix, suffix)
        }
        guard let bot = turnSeparators(role: "assistant"), let user = turnSeparators(role: "user") else { return [] }
        var stops: [String] = []
        for candidate in [user.suffix + bot.prefix, user.suffix + user.prefix, bot.suffix + bot.prefix, bot.suffix + user.prefix] {
            guard let stop = reducedStopString(candidate), !stops.contains(stop) else { continue }
            stops.append(stop)
        }
        return stops
    }

    /// A separator reduced to what reliably marks a new turn.
    static func reducedStopString(_ separator: String) -> String? {
        let trimmed = separator.trimmingWhitespace
        guard let first = trimmed.first else { return nil }
        let closing: [Character: Character] = ["<": ">", "[": "]", "(": ")", "{": "}"]
        if let close = closing[first] {
            guard let end = trimmed.firstIndex(of: close) else { return trimmed }
            return String(trimmed[...end])
        }
        if let colon = separator.firstIndex(of: ":") { return String(separator[...colon]) }
        return trimmed
    }
}
