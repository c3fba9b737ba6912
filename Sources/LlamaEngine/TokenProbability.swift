import CLlama
import Foundation

/// A token and its probability in a next-token distribution.
public struct TokenProbability: Sendable, Equatable {
    public var token: Int32
    public var probability: Double

    public init(token: Int32, probability: Double) {
        self.token = token
        self.probability = probability
    }
}

/// What a probe request wants to know.
struct DistributionProbe: Sendable {
    /// Apply the request's sampler stages (temperature, top-k, …) before the softmax.
    var applySamplers: Bool
    /// How many of the most likely tokens to report.
    var top: Int
}

extension TokenProbability {
    /// The `top` most likely tokens after `chain`'s stages (or raw, without a chain), from the
    /// logits at batch position `index`.
    static func distribution(context: OpaquePointer, index: Int32, vocabularySize: Int, chain: SamplerChain?, top: Int)
        -> [TokenProbability]
    {
        guard let logits = llama_get_logits_ith(context, index) else { return [] }
        var candidates = (0..<vocabularySize).map { llama_token_data(id: Int32($0), logit: logits[$0], p: 0) }
        var remaining = candidates.count
        candidates.withUnsafeMutableBufferPointer { buffer in
            guard let chain else { return }
            var array = llama_token_data_array(data: buffer.baseAddress, size: buffer.count, selected: -1, sorted: false)
            llama_sampler_apply(chain.pointer, &array)
            remaining = array.size
        }
        let kept = candidates.prefix(remaining).filter { $0.logit.isFinite }
        guard let maximum = kept.map(\.logit).max() else { return [] }
        let weights = kept.map { exp(Double($0.logit - maximum)) }
        let total = weights.reduce(0, +)
        return zip(kept, weights).map { TokenProbability(token: $0.id, probability: $1 / total) }
            .sorted { $0.probability > $1.probability }
            .prefix(top).map { $0 }
    }
}
