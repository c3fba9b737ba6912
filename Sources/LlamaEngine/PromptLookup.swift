/// Finds a draft continuation for a sequence by looking up its last tokens in text it has
/// already seen: a pure function of the token lists, so it is tested without a model.
///
/// The longest suffix (from `ngram.upperBound` down to `ngram.lowerBound` tokens) that occurs
/// earlier wins. Among its occurrences: the most recent one in the output (an edit made once, a
/// renamed identifier, is made again the next time the same text comes by); else the predicted
/// output (OpenAI's `prediction`), from where the last draft taken from it ended, since it is the
/// text the caller expects; else the most recent one in the prompt.
enum PromptLookup {
    /// A draft and where it came from.
    struct Draft: Equatable {
        var tokens: [Int32]
        /// Taken from the predicted output; `end` is the index after its last token there.
        var fromPrediction: Bool
        var end: Int
        /// How many tokens before the draft match the sequence's last ones (at most
        /// ``longestMatch``): the longer, the likelier the draft is what comes.
        var matched = 0
    }

    static let longestMatch = 32

    /// - Parameters:
    ///   - history: the sequence so far (prompt and output, the last sampled token included).
    ///   - outputStart: where the output starts in `history` (the prompt's length).
    ///   - prediction: the predicted output's tokens (empty when none).
    ///   - predictionCursor: where the last draft from the prediction ended: occurrences from
    ///     there on are preferred.
    ///   - limit: most tokens to draft.
    /// - Returns: nil when no suffix of the allowed lengths occurs earlier, or `limit` is 0.
    static func draft(
        history: [Int32],
        outputStart: Int = 0,
        prediction: [Int32] = [],
        predictionCursor: Int = 0,
        ngram: ClosedRange<Int>,
        limit: Int
    ) -> Draft? {
        guard limit > 0, history.count >= ngram.lowerBound else { return nil }
        /// How far the tokens of `source` before `end` agree with the history's last ones, from
        /// `known` (already compared) up to ``longestMatch``.
        func matchLength(_ source: [Int32], before end: Int, _ known: Int) -> Int {
            var length = known
            while length < longestMatch, length < end, length < history.count, source[end - 1 - length] == history[history.count - 1 - length] {
                length += 1
            }
            return length
        }
        for length in stride(from: min(ngram.upperBound, history.count), through: ngram.lowerBound, by: -1) {
            let key = history[(history.count - length)...]
            // In the history itself, the suffix's own place does not count.
            let recent = lastOccurrence(of: key, in: history, before: history.count - length)
            func fromHistory(_ start: Int) -> Draft {
                let end = min(start + length + limit, history.count)
                let matched = matchLength(history, before: start + length, length)
                return Draft(tokens: Array(history[(start + length)..<end]), fromPrediction: false, end: end, matched: matched)
            }
            if let recent, recent >= outputStart { return fromHistory(recent) }
            if let start = firstOccurrence(of: key, in: prediction, from: predictionCursor) ?? lastOccurrence(of: key, in: prediction) {
                let end = min(start + length + limit, prediction.count)
                if end > start + length {
                    let matched = matchLength(prediction, before: start + length, length)
                    return Draft(tokens: Array(prediction[(start + length)..<end]), fromPrediction: true, end: end, matched: matched)
                }
            }
            if let recent { return fromHistory(recent) }
        }
        return nil
    }

    /// The first place at or after `from` where `key` starts in `tokens`.
    private static func firstOccurrence(of key: ArraySlice<Int32>, in tokens: [Int32], from: Int) -> Int? {
        let last = tokens.count - key.count
        guard !key.isEmpty, from <= last else { return nil }
        return (max(0, from)...last).first { matches(key, tokens, at: $0) }
    }

    /// The last place before `limit` (by default anywhere) where `key` starts in `tokens`.
    private static func lastOccurrence(of key: ArraySlice<Int32>, in tokens: [Int32], before limit: Int? = nil) -> Int? {
        let last = min(tokens.count - key.count, (limit ?? tokens.count) - 1)
        guard !key.isEmpty, last >= 0 else { return nil }
        return stride(from: last, through: 0, by: -1).first { matches(key, tokens, at: $0) }
    }

    private static func matches(_ key: ArraySlice<Int32>, _ tokens: [Int32], at start: Int) -> Bool {
        // The last token first: it differs most often, so most places are rejected at once.
        guard tokens[start + key.count - 1] == key.last else { return false }
        var offset = 0
        for token in key {
            if tokens[start + offset] != token { return false }
            offset += 1
        }
        return true
    }
}
