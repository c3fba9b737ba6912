/// How the next token is chosen. Defaults are text-generation-webui's API defaults.
public struct SamplingParameters: Sendable, Equatable {
    /// 0 means greedy decoding.
    public var temperature: Double = 1
    /// 1 disables nucleus sampling.
    public var topP: Double = 0.95
    /// 0 disables top-k.
    public var topK: Int = 0
    /// 0 disables min-p.
    public var minP: Double = 0
    /// 1 disables the repetition penalty.
    public var repetitionPenalty: Double = 1
    /// How many recent tokens the penalties look at (-1: the whole context).
    public var penaltyLastN: Int = 1024
    public var presencePenalty: Double = 0
    public var frequencyPenalty: Double = 0
    /// `nil` picks a random seed.
    public var seed: UInt32?
    /// Never pick an end-of-generation token (text-generation-webui's `ban_eos_token`).
    public var banEndOfGeneration = false
    /// Added to the logits of these tokens before sampling; `-infinity` bans a token.
    public var logitBias: [Int32: Float] = [:]
    /// A GBNF grammar the output must follow (root rule `root`).
    public var grammar: String?

    public init() {}

    /// Whether sampling reduces to picking the most likely token.
    public var isGreedy: Bool { temperature <= 0 || topK == 1 }
}
