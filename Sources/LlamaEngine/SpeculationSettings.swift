/// How the decode loop drafts tokens for speculative decoding (`--spec-max`,
/// `--spec-ngram-min`, `--spec-ngram-max`).
///
/// Drafts come from the sequence's own text (prompt lookup): the last few tokens are looked up
/// earlier in the prompt and the output, or in the request's predicted output, and the tokens
/// that followed there are verified in the next tick's batch together with the sequence's
/// token. Accepted drafts cost one batch instead of one tick each.
public struct SpeculationSettings: Sendable, Equatable {
    /// Most drafted tokens per sequence and tick; 0 turns speculation off.
    public var maxDraft: Int
    /// Shortest suffix that must match for a draft.
    public var ngramMin: Int
    /// Longest suffix looked up (longer matches are tried first: they predict better).
    public var ngramMax: Int

    public init(maxDraft: Int = 16, ngramMin: Int = 3, ngramMax: Int = 6) {
        self.maxDraft = max(0, maxDraft)
        self.ngramMin = max(1, ngramMin)
        self.ngramMax = max(self.ngramMin, ngramMax)
    }

    /// Speculation off.
    public static let off = SpeculationSettings(maxDraft: 0)

    public var isEnabled: Bool { maxDraft > 0 }
}
