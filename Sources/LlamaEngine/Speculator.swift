/// One sequence's speculative decoding: what to draft next and how much, from how often the
/// model has been accepting drafts and what verifying one costs. A value owned by the
/// ``Scheduler``'s slot; pure.
///
/// Verifying k drafted tokens costs more than one decode step: a batch of 1 + k tokens takes
/// about 1 + βk single steps, β being the ``VerifyCost`` the decode loop measures (on a 2-core
/// CPU about 0.3, 0.4 with flash attention; each token needing logits pays for the output layer
/// too). With p the chance that a drafted token is accepted once those before it were, a draft
/// of k tokens yields (1 − p^(k+1)) / (1 − p) tokens for that cost, so the draft length chosen is
/// the one that maximises that ratio, and no draft is made when the best ratio does not beat one
/// step. p is learnt per sequence, apart for drafts after a short lookup match and after a long
/// one or from the prediction (recent drafts weigh most); while such drafts are not made,
/// what was learnt fades back towards the prior, so a sequence that started copying again is
/// found out by an occasional short draft. Free text, where lookups rarely predict, stops
/// drafting after a few misses.
struct Speculator: Equatable {
    let settings: SpeculationSettings
    /// The predicted output's tokens (empty when the request has none).
    let prediction: [Int32]
    /// Acceptance learnt from drafts after a short match and after a long one
    /// (``longMatch`` tokens or more): a long match predicts far better.
    private var estimates = [Estimate(prior: 0.6), Estimate(prior: 0.9)]
    private var predictionCursor = 0
    /// The draft being verified and the estimate it is counted in.
    private var pending: PromptLookup.Draft?
    private var pendingEstimate = 0
    /// Counts for the summary: drafted and accepted tokens, and those of them from the prediction.
    private(set) var counts = SpeculationCounts()

    /// Matched tokens from which a lookup counts as long.
    static let longMatch = 10
    /// A draft must promise this much more than one step per step of cost.
    static let minimumGain = 1.02

    /// Accepted and verified drafted tokens, weighted by recency (and fading while unused), over
    /// a prior.
    struct Estimate: Equatable {
        var prior: Double
        var successes = 0.0
        var trials = 0.0

        static let priorWeight = 2.0
        /// How much each verified token's predecessors keep of their weight.
        static let memory = 0.9
        /// How much the learnt counts keep per tick in which such a draft was not made.
        static let idleMemory = 0.97

        var acceptance: Double { (successes + prior * Self.priorWeight) / (trials + Self.priorWeight) }

        mutating func record(accepted: Bool) {
            successes = successes * Self.memory + (accepted ? 1 : 0)
            trials = trials * Self.memory + 1
        }

        mutating func fade() {
            successes *= Self.idleMemory
            trials *= Self.idleMemory
        }
    }

    init(settings: SpeculationSettings, prediction: [Int32] = []) {
        self.settings = settings
        self.prediction = prediction
    }

    /// The estimated chance that a drafted token is accepted, after a short match.
    var acceptance: Double { estimates[0].acceptance }

    /// The tokens to verify after the sequence's last sampled token, at most `limit`.
    /// - Parameters:
    ///   - history: the sequence so far, its last sampled token included.
    ///   - outputStart: where its output starts (the prompt's length).
    ///   - costPerToken: β, a drafted token's share of one decode step's time.
    mutating func draft(history: [Int32], outputStart: Int = 0, limit: Int, costPerToken: Double = VerifyCost.initialPerToken) -> [Int32] {
        pending = nil
        let most = min(limit, settings.maxDraft)
        guard most > 0,
            let lookup = PromptLookup.draft(
                history: history,
                outputStart: outputStart,
                prediction: prediction,
                predictionCursor: predictionCursor,
                ngram: settings.ngramMin...settings.ngramMax,
                limit: most
            )
        else { return [] }
        // What the caller predicts is as good as a long match.
        let estimate = lookup.matched >= Self.longMatch || lookup.fromPrediction ? 1 : 0
        let length = Self.bestLength(acceptance: estimates[estimate].acceptance, costPerToken: costPerToken, limit: lookup.tokens.count)
        guard length > 0 else {
            estimates[estimate].fade()
            return []
        }
        var draft = lookup
        draft.end -= draft.tokens.count - length
        draft.tokens.removeLast(draft.tokens.count - length)
        pending = draft
        pendingEstimate = estimate
        return draft.tokens
    }

    /// The draft length with the most tokens per unit of time, or 0 when none beats one step.
    static func bestLength(acceptance: Double, costPerToken: Double, limit: Int) -> Int {
        guard limit > 0 else { return 0 }
        let p = min(max(acceptance, 0), 0.995)
        var best = (length: 0, gain: minimumGain)
        var expected = 1.0  // tokens a draft of `length` yields: 1 + p + … + p^length
        var term = 1.0
        for length in 1...limit {
            term *= p
            expected += term
            let gain = expected / (1 + costPerToken * Double(length))
            if gain > best.gain { best = (length, gain) }
        }
        return best.length
    }

    /// Records how many of the last draft's tokens the model accepted (a prefix of it).
    mutating func verified(accepted: Int) {
        guard let draft = pending else { return }
        pending = nil
        let estimate = pendingEstimate
        let drafted = draft.tokens.count
        counts.drafted += drafted
        counts.accepted += accepted
        if draft.fromPrediction {
            counts.predictionAccepted += accepted
            counts.predictionRejected += drafted - accepted
            predictionCursor = draft.end - (drafted - accepted)
        }
        // Tokens after the first rejected one were never tried.
        for index in 0..<min(drafted, accepted + 1) {
            estimates[estimate].record(accepted: index < accepted)
        }
    }
}

/// What verifying drafted tokens costs: β, the time one more token adds to a decode step, as a
/// share of that step, learnt from the decode loop's own ticks (it depends on the CPU, the model,
/// flash attention and the depth in the context). Learnt apart by how many sequences a tick
/// decodes (1, 2, 3, 4 or more): a tick of four sequences is no measure of what a draft costs a
/// single stream, and the other way round.
struct VerifyCost: Equatable {
    static let initialPerToken = 0.35
    /// How much of β's distance from its prior an undrafted tick keeps.
    static let forgetting = 0.995

    /// What ticks of one number of sequences taught.
    struct Shape: Equatable {
        /// Seconds of a tick of these sequences with one token each (recent ticks weigh most).
        var plain: Double?
        /// Extra cost (in plain ticks, times the sequences that wait for it) and extra tokens,
        /// summed with recent ticks weighing most (a prior of 4 tokens at the initial β), so
        /// that a short tick's noise counts little.
        var extraCost = 4 * VerifyCost.initialPerToken
        var extraTokens = 4.0
    }

    private(set) var shapes = [Shape](repeating: Shape(), count: 4)

    /// Seconds of a one-token tick, once one was seen.
    var single: Double? { shapes[0].plain }

    /// β for a tick of `sequences` sequences. With n sequences every one of them waits for the
    /// drafted tokens, so β counts the extra time n times: a draft of k then pays (for the
    /// tokens the whole tick yields) exactly when its expected extra tokens exceed βk.
    func perToken(sequences: Int = 1) -> Double {
        let shape = shapes[Self.bucket(sequences)]
        return shape.extraCost / shape.extraTokens
    }

    /// Records a tick of `tokens` tokens over `sequences` sequences, all of them decoded (no
    /// prompt chunk), that took `seconds`.
    mutating func observe(tokens: Int, sequences: Int = 1, seconds: Double) {
        guard sequences >= 1, tokens >= sequences, seconds > 0 else { return }
        let bucket = Self.bucket(sequences)
        if tokens == sequences {
            shapes[bucket].plain = shapes[bucket].plain.map { 0.9 * $0 + 0.1 * seconds } ?? seconds
            // Only drafted ticks teach β, and a high β stops drafts: one measure taken while the
            // machine was busy elsewhere would end speculation for good. Undrafted ticks pull β
            // back toward its prior (half-way in about 140 ticks), so drafts are tried again.
            let learnt = shapes[bucket].extraCost / shapes[bucket].extraTokens
            shapes[bucket].extraCost = shapes[bucket].extraTokens * (learnt + (Self.initialPerToken - learnt) * (1 - Self.forgetting))
            return
        }
        guard let plain = shapes[bucket].plain else { return }
        let extra = Double(tokens - sequences)
        let cost = Double(sequences) * (seconds / plain - 1)
        shapes[bucket].extraCost = 0.95 * shapes[bucket].extraCost + min(max(cost, 0.02 * extra), 2 * extra * Double(sequences))
        shapes[bucket].extraTokens = 0.95 * shapes[bucket].extraTokens + extra
    }

    private static func bucket(_ sequences: Int) -> Int { min(max(sequences, 1), 4) - 1 }
}
