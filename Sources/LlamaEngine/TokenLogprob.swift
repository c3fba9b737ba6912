import CLlama
import Foundation

/// A token of a prompt or a completion with its log probability under the model's distribution
/// before sampling (as OpenAI defines `logprobs`), and the most likely alternatives at its
/// position.
public struct TokenLogprob: Sendable, Equatable {
    /// A candidate token at one position.
    public struct Alternative: Sendable, Equatable {
        public var token: Int32
        /// The token's text as raw bytes (a token may hold part of a UTF-8 character).
        public var bytes: [UInt8]
        public var logprob: Double
    }

    public var token: Int32
    public var bytes: [UInt8]
    /// `nil` for the first token of a prompt, which nothing predicts.
    public var logprob: Double?
    /// The most likely tokens at this position, most likely first.
    public var top: [Alternative]
}

extension TokenLogprob {
    /// The log-softmax of the logits at batch position `index`, read for `token` and the `top`
    /// most likely tokens.
    static func measure(
        _ token: Int32,
        bytes: [UInt8],
        context: OpaquePointer,
        index: Int32,
        top: Int,
        model: LlamaModel
    ) -> TokenLogprob {
        guard let logits = llama_get_logits_ith(context, index) else {
            return TokenLogprob(token: token, bytes: bytes, logprob: nil, top: [])
        }
        let count = model.info.vocabularySize
        var maximum = -Float.infinity
        for i in 0..<count where logits[i] > maximum { maximum = logits[i] }
        var sum = 0.0
        for i in 0..<count { sum += exp(Double(logits[i] - maximum)) }
        let logNormalizer = Double(maximum) + log(sum)
        let best = Self.largest(top, of: logits, count: count)
        return TokenLogprob(
            token: token,
            bytes: bytes,
            logprob: Double(logits[Int(token)]) - logNormalizer,
            top: best.map { Alternative(token: $0, bytes: model.piece(of: $0, special: true), logprob: Double(logits[Int($0)]) - logNormalizer) }
        )
    }

    /// The ids of the `k` largest logits, largest first (one pass, insertion into a short list).
    private static func largest(_ k: Int, of logits: UnsafeMutablePointer<Float>, count: Int) -> [Int32] {
        guard k > 0 else { return [] }
        var best: [Int32] = []
        best.reserveCapacity(k + 1)
        for i in 0..<count {
            let value = logits[i]
            if best.count == k, value <= logits[Int(best[k - 1])] { continue }
            var position = best.count
            while position > 0, logits[Int(best[position - 1])] < value { position -= 1 }
            best.insert(Int32(i), at: position)
            if best.count > k { best.removeLast() }
        }
        return best
    }
}
