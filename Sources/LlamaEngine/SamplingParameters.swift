/// How the next token is chosen. Defaults are text-generation-webui's API defaults; every
/// stage at its default is left out of the chain.
public struct SamplingParameters: Sendable, Equatable {
    /// A filtering or shaping stage, in the order of ``order``.
    public enum Stage: String, Sendable, CaseIterable {
        case penalties, dry, topNSigma = "top_n_sigma", temperature, topK = "top_k", topP = "top_p", typicalP = "typical_p",
            minP = "min_p", xtc
    }

    /// text-generation-webui's default `sampler_priority`, restricted to what llama.cpp has.
    public static let defaultOrder: [Stage] = [.penalties, .dry, .topNSigma, .temperature, .topK, .topP, .typicalP, .minP, .xtc]

    /// 0 means greedy decoding.
    public var temperature: Double = 1
    /// Entropy-scaled temperature between `dynamicTemperatureLow` and `High`.
    public var dynamicTemperature = false
    public var dynamicTemperatureLow: Double = 1
    public var dynamicTemperatureHigh: Double = 1
    public var dynamicTemperatureExponent: Double = 1
    /// 1 disables nucleus sampling.
    public var topP: Double = 0.95
    /// 0 disables top-k.
    public var topK: Int = 0
    /// 0 disables min-p.
    public var minP: Double = 0
    /// 1 disables locally typical sampling.
    public var typicalP: Double = 1
    /// 0 disables top-n-sigma.
    public var topNSigma: Double = 0
    /// XTC: with this probability, drop the top choices above the threshold (0: off).
    public var xtcProbability: Double = 0
    public var xtcThreshold: Double = 0.1
    /// DRY repetition penalty (0: off).
    public var dryMultiplier: Double = 0
    public var dryBase: Double = 1.75
    public var dryAllowedLength: Int = 2
    public var drySequenceBreakers: [String] = ["\n", ":", "\"", "*"]
    /// 1 disables the repetition penalty.
    public var repetitionPenalty: Double = 1
    /// How many recent tokens the penalties and DRY look at (-1: the whole context).
    public var penaltyLastN: Int = 1024
    public var presencePenalty: Double = 0
    public var frequencyPenalty: Double = 0
    /// 0 off, 1 Mirostat, 2 Mirostat 2.0; replaces the filtering stages, as in llama.cpp.
    public var mirostatMode: Int = 0
    public var mirostatTau: Double = 5
    public var mirostatEta: Double = 0.1
    /// Adaptive-p target (0: off); replaces the final random pick.
    public var adaptiveTarget: Double = 0
    public var adaptiveDecay: Double = 0.9
    /// The order of the stages (text-generation-webui's `sampler_priority`).
    public var order: [Stage] = SamplingParameters.defaultOrder
    /// `nil` picks a random seed.
    public var seed: UInt32?
    /// Never pick an end-of-generation token (text-generation-webui's `ban_eos_token`).
    public var banEndOfGeneration = false
    /// Added to the logits of these tokens before sampling; `-infinity` bans a token.
    public var logitBias: [Int32: Float] = [:]
    /// A GBNF grammar the output must follow.
    public var grammar: Grammar?

    public init() {}

    /// Whether sampling reduces to picking the most likely token.
    public var isGreedy: Bool { (temperature <= 0 && !dynamicTemperature && mirostatMode == 0) || topK == 1 }

    /// Temperature runs after every other stage, wherever ``order`` puts it
    /// (text-generation-webui's `temperature_last`).
    public var temperatureLast = false

    /// The stages in the order they run: ``order``, with temperature moved to the end when
    /// ``temperatureLast`` is set.
    public var stageOrder: [Stage] {
        guard temperatureLast, order.contains(.temperature) else { return order }
        return order.filter { $0 != .temperature } + [.temperature]
    }
}

/// A GBNF grammar (root rule `root`) the output must follow, from the start or, when lazy,
/// from the first appearance of a trigger on.
public struct Grammar: Sendable, Equatable {
    public var text: String
    /// Words that switch the grammar on: until one appears the output is free, and the grammar
    /// then reads the output from the word on (so its `root` starts with the word).
    public var triggers: [String]
    /// ECMAScript patterns that switch the grammar on, matched as llama.cpp matches them: a
    /// pattern written `^…$` must match the whole output so far, and the grammar reads the
    /// output from the pattern's first capture group on.
    public var triggerPatterns: [String]

    /// With no triggers and no patterns, the grammar holds from the first token.
    public init(_ text: String, triggers: [String] = [], triggerPatterns: [String] = []) {
        self.text = text
        self.triggers = triggers
        self.triggerPatterns = triggerPatterns
    }

    public var isLazy: Bool { !triggers.isEmpty || !triggerPatterns.isEmpty }

    /// The words as patterns, then the patterns: what llama.cpp is given.
    var patterns: [String] {
        triggers.map { word in
            var pattern = ""
            for character in word {
                if "\\^$.|?*+()[]{}".contains(character) { pattern.append("\\") }
                pattern.append(character)
            }
            return pattern
        } + triggerPatterns
    }
}
