/// One sequence's speculative decoding: what to draft next and how much, adapted to how much
/// of it the model has been accepting. A value owned by the ``Scheduler``'s slot; pure.
///
/// Verifying k drafted tokens costs more than one decode step (on a 2-core CPU about 1.3× at
/// k = 1, 1.5× at 3, 2.2× at 7 and 3.7× at 15, more with flash attention deep in the context;
/// see docs/performance.md), so a draft pays only when most of it is accepted. The draft length
/// doubles after a fully accepted draft (text being copied) and halves after a partly accepted
/// one; a draft of which nothing is accepted pauses drafting for a number of tokens that
/// doubles with each such miss in a row, so that free text, where lookups rarely predict,
/// almost never pays for a draft.
struct Speculator: Equatable {
    let settings: SpeculationSettings
    /// The predicted output's tokens (empty when the request has none).
    let prediction: [Int32]
    /// Tokens the next draft may have.
    private(set) var draftLength: Int
    /// Ticks to pass before drafting again.
    private(set) var pause = 0
    private var missesInARow = 0
    private var predictionCursor = 0
    /// Where the draft being verified came from.
    private var pending: PromptLookup.Draft?
    /// Counts for the summary: drafted and accepted tokens, and those of them from the prediction.
    private(set) var counts = SpeculationCounts()

    static let shortestDraft = 2
    static let longestPause = 64

    init(settings: SpeculationSettings, prediction: [Int32] = []) {
        self.settings = settings
        self.prediction = prediction
        // A prediction is the text the caller expects: start with long drafts from it.
        draftLength = min(settings.maxDraft, prediction.isEmpty ? 4 : 8)
    }

    /// The tokens to verify after the sequence's last sampled token, at most `limit`.
    /// - Parameter history: the sequence so far, its last sampled token included.
    mutating func draft(history: [Int32], limit: Int) -> [Int32] {
        pending = nil
        guard settings.isEnabled else { return [] }
        if pause > 0 {
            pause -= 1
            return []
        }
        let lookup = PromptLookup.draft(
            history: history,
            prediction: prediction,
            predictionCursor: predictionCursor,
            ngram: settings.ngramMin...settings.ngramMax,
            limit: min(limit, draftLength)
        )
        pending = lookup
        return lookup?.tokens ?? []
    }

    /// Records how many of the last draft's tokens the model accepted (a prefix of it).
    mutating func verified(accepted: Int) {
        guard let draft = pending else { return }
        pending = nil
        let drafted = draft.tokens.count
        counts.drafted += drafted
        counts.accepted += accepted
        if draft.fromPrediction {
            counts.predictionAccepted += accepted
            counts.predictionRejected += drafted - accepted
            predictionCursor = draft.end - (drafted - accepted)
        }
        if accepted == drafted {
            missesInARow = 0
            // A draft cut short by its source or the limit says nothing about a longer one.
            if drafted >= draftLength { draftLength = min(draftLength * 2, settings.maxDraft) }
        } else if accepted == 0 {
            missesInARow += 1
            draftLength = max(min(Self.shortestDraft, settings.maxDraft), draftLength / 2)
            pause = min(1 << min(missesInARow, 6), Self.longestPause)
        } else {
            if accepted * 2 >= drafted { missesInARow = 0 }
            draftLength = max(min(Self.shortestDraft, settings.maxDraft), draftLength / 2)
        }
    }
}
