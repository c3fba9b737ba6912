/// When a sequence ends: the pure decision the decode loop asks after every sampled token (and
/// once its prompt is in), carried out by ``DecodeLoop``. Tested without a model.
struct StopPolicy: Equatable {
    /// The request's `maxTokens`: nil for up to the context's end; 0 generates nothing.
    var maxTokens: Int?
    /// Tokens of context per sequence.
    var contextLength: Int

    /// What one sampled token did, as the loop saw it.
    struct Token: Equatable {
        /// The model's end-of-generation token (it is not counted or shown).
        var endsGeneration = false
        /// Its text could not be delivered: the consumer has gone.
        var consumerGone = false
        /// Its text completed one of the request's stop strings.
        var metStopString = false
        /// Tokens generated with this one.
        var completionTokens: Int
        /// Tokens of the sequence in the KV cache before this one.
        var cachedTokens: Int
    }

    /// Why a job ends as soon as its prompt is in, before a token is sampled: it asked for none.
    var endsBeforeSampling: StopReason? { maxTokens == 0 ? .length : nil }

    /// Why the sequence ends with `token`, or nil when it goes on. An end-of-generation token or
    /// a stop string is a stop; a consumer gone, a cancellation; then the request's limit and a
    /// full context are lengths.
    func reason(after token: Token) -> StopReason? {
        if token.endsGeneration || (token.metStopString && !token.consumerGone) { return .stop }
        if token.consumerGone { return .cancelled }
        if let maxTokens, token.completionTokens >= maxTokens { return .length }
        if token.cachedTokens + 1 >= contextLength { return .length }
        return nil
    }
}
