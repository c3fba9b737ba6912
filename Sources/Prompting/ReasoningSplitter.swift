import Foundation

/// Separates a model's reasoning (`<think>…</think>` and its variants) from its answer, on a
/// whole text or incrementally while streaming, never letting a partial tag through.
public struct ReasoningSplitter: Sendable {
    /// Opening and closing tags the splitter knows: DeepSeek/Qwen's `<think>`, Seed's, Mistral's
    /// `[THINK]` and Gemma 4's thought channel.
    /// The reasoning tags a chat template writes, when it writes any: its model may open a
    /// reasoning block on its own.
    public static func tags(inTemplate source: String) -> (open: String, close: String)? {
        tags.first { source.contains($0.open) && source.contains($0.close) }
    }

    static let tags: [(open: String, close: String)] = [
        ("<think>", "</think>"), ("<seed:think>", "</seed:think>"), ("[THINK]", "[/THINK]"), ("<|channel>thought", "<channel|>"),
    ]

    private enum State {
        /// Before any visible text: a reply may still open with a thinking tag.
        case start
        case reasoning(close: String)
        case content
    }

    private var state: State
    private var held = ""

    /// `insideReasoning`: the prompt ended with an opening tag, so the reply begins as reasoning.
    public init(insideReasoning: Bool = false) {
        state = insideReasoning ? .reasoning(close: Self.anyClose) : .start
    }

    /// Marks "whichever closing tag comes first".
    private static let anyClose = "\u{0}"

    /// Splits a complete reply; nil when it has no reasoning block. The fold of ``feed(_:)`` and
    /// ``finish()``: a streamed reply concatenates to exactly this.
    public static func split(_ text: String, insideReasoning: Bool = false) -> (reasoning: String, content: String)? {
        var splitter = ReasoningSplitter(insideReasoning: insideReasoning)
        var (reasoning, content) = splitter.feed(text)
        let rest = splitter.finish()
        reasoning += rest.reasoning
        content += rest.content
        guard splitter.sawReasoning else { return nil }
        return (reasoning, content)
    }

    /// Whether the reply opened with (or the prompt left open) a reasoning block.
    public private(set) var sawReasoning = false
    private var reasoningStarted = false
    private var contentStarted = false

    /// Feeds generated text; returns the reasoning and content that are now certain.
    ///
    /// Reasoning comes without the whitespace at its edges (held back until text follows it),
    /// content without the blank lines between the block and the answer.
    public mutating func feed(_ text: String) -> (reasoning: String, content: String) {
        held += text
        var reasoning = ""
        var content = ""
        while true {
            switch state {
            case .start:
                let trimmed = Substring(held).drop { $0.isWhitespace }
                if let tag = Self.tags.first(where: { trimmed.hasPrefix($0.open) }) {
                    held = String(trimmed.dropFirst(tag.open.count))
                    state = .reasoning(close: tag.close)
                    sawReasoning = true
                    continue
                }
                if trimmed.isEmpty || Self.tags.contains(where: { $0.open.hasPrefix(trimmed) }) { return (reasoning, content) }
                state = .content
            case .reasoning(let close):
                sawReasoning = true
                if !reasoningStarted {
                    held = String(held.drop { $0.isWhitespace })
                    reasoningStarted = !held.isEmpty
                }
                let closes = close == Self.anyClose ? Self.tags.map(\.close) : [close]
                if let (range, _) = closes.compactMap({ tag in held.range(of: tag).map { ($0, tag) } }).min(by: { $0.0.lowerBound < $1.0.lowerBound })
                {
                    reasoning += held[..<range.lowerBound].withoutTrailingWhitespace
                    held = String(held[range.upperBound...])
                    state = .content
                    continue
                }
                // Held back: a possible start of the closing tag, and whitespace before it.
                let keep = closes.map { Self.partialSuffixLength(of: held, matching: $0) }.max() ?? 0
                let certain = held.dropLast(keep).withoutTrailingWhitespace
                reasoning += certain
                held = String(held.dropFirst(certain.count))
                return (reasoning, content)
            case .content:
                // The blank lines between a reasoning block and the answer are not the answer's.
                if sawReasoning, !contentStarted {
                    held = String(held.drop { $0.isWhitespace })
                    contentStarted = !held.isEmpty
                }
                content += held
                held = ""
                return (reasoning, content)
            }
        }
    }

    /// Whatever is still held back, at the end of generation.
    public mutating func finish() -> (reasoning: String, content: String) {
        defer { held = "" }
        if case .reasoning = state { return (String(held.withoutTrailingWhitespace), "") }
        return ("", held)
    }

    /// The length of the longest suffix of `text` that is a proper prefix of `tag`.
    private static func partialSuffixLength(of text: String, matching tag: String) -> Int {
        for length in stride(from: min(tag.count - 1, text.count), to: 0, by: -1) where tag.hasPrefix(text.suffix(length)) {
            return length
        }
        return 0
    }
}

extension StringProtocol {
    /// The text without the whitespace at its end.
    var withoutTrailingWhitespace: SubSequence {
        var end = endIndex
        while end > startIndex, self[index(before: end)].isWhitespace { end = index(before: end) }
        return self[startIndex..<end]
    }
}
