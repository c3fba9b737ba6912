import Foundation
import OrderedJSON

/// Every sampling field a generating request may send, with its wire name, type, range and
/// text-generation-webui's default: the one table that decoding, validation, presets, the
/// server-wide `--flags` and the field list in `docs/api.md` are all built from.
///
/// The engine mapping (`SamplingParameters.set(_:_:)` in HearthServer) switches over this enum
/// without a `default`, so a field added here and not mapped there does not compile.
public enum SamplerField: String, CaseIterable, Sendable {
    case temperature
    case dynamicTemperature = "dynamic_temperature"
    case dynatempLow = "dynatemp_low"
    case dynatempHigh = "dynatemp_high"
    case dynatempExponent = "dynatemp_exponent"
    case temperatureLast = "temperature_last"
    case topP = "top_p"
    case topK = "top_k"
    case minP = "min_p"
    case typicalP = "typical_p"
    case topNSigma = "top_n_sigma"
    case xtcProbability = "xtc_probability"
    case xtcThreshold = "xtc_threshold"
    case repetitionPenalty = "repetition_penalty"
    case repetitionPenaltyRange = "repetition_penalty_range"
    case presencePenalty = "presence_penalty"
    case frequencyPenalty = "frequency_penalty"
    case dryMultiplier = "dry_multiplier"
    case dryBase = "dry_base"
    case dryAllowedLength = "dry_allowed_length"
    case drySequenceBreakers = "dry_sequence_breakers"
    case mirostatMode = "mirostat_mode"
    case mirostatTau = "mirostat_tau"
    case mirostatEta = "mirostat_eta"
    case adaptiveTarget = "adaptive_target"
    case adaptiveDecay = "adaptive_decay"
    case samplerPriority = "sampler_priority"
    case banEOSToken = "ban_eos_token"
    case maxTokensSecond = "max_tokens_second"

    /// What a field holds and which values are allowed.
    public enum Kind: Sendable, Equatable {
        /// A finite number in the range.
        case number(ClosedRange<Double>)
        /// A whole number in the range (a JSON number with no fraction, `2.0` included).
        case integer(ClosedRange<Int>)
        case flag
        /// `dry_sequence_breakers`: JSON strings separated by commas, brackets optional.
        case breakers
        /// `sampler_priority`: stage names, a list or a newline/comma separated string.
        case stages
    }

    /// The field's name on the wire (and, with dashes, as a server flag).
    public var wireName: String { rawValue }

    /// `--top-p` for `top_p`.
    public var flagName: String { "--" + rawValue.replacingOccurrences(of: "_", with: "-") }

    public var kind: Kind {
        switch self {
        case .temperature: .number(0...2)
        case .dynamicTemperature, .temperatureLast, .banEOSToken: .flag
        case .dynatempLow, .dynatempHigh: .number(0...5)
        case .dynatempExponent: .number(0...10)
        case .topP, .minP, .typicalP, .xtcProbability, .xtcThreshold, .mirostatEta, .adaptiveTarget, .adaptiveDecay: .number(0...1)
        case .topK: .integer(0...Self.largestTokenCount)
        case .topNSigma, .dryMultiplier: .number(0...10)
        case .repetitionPenalty: .number(0.01...10)
        case .repetitionPenaltyRange: .integer(-1...Self.largestTokenCount)
        case .presencePenalty, .frequencyPenalty: .number(-2...2)
        case .dryBase: .number(1...10)
        case .dryAllowedLength: .integer(1...1000)
        case .drySequenceBreakers: .breakers
        case .mirostatMode: .integer(0...2)
        case .mirostatTau: .number(0...100)
        case .samplerPriority: .stages
        case .maxTokensSecond: .number(0...100_000)
        }
    }

    /// The value a request that leaves the field out gets (text-generation-webui's API
    /// defaults; server flags may change them).
    public var defaultValue: SamplerValue {
        switch self {
        case .temperature: .number(1)
        case .dynamicTemperature, .temperatureLast, .banEOSToken: .flag(false)
        case .dynatempLow, .dynatempHigh, .dynatempExponent: .number(1)
        case .topP: .number(0.95)
        case .topK: .integer(0)
        case .minP, .topNSigma, .xtcProbability, .presencePenalty, .frequencyPenalty, .dryMultiplier, .adaptiveTarget: .number(0)
        case .typicalP, .repetitionPenalty: .number(1)
        case .xtcThreshold, .mirostatEta: .number(0.1)
        case .repetitionPenaltyRange: .integer(1024)
        case .dryBase: .number(1.75)
        case .dryAllowedLength: .integer(2)
        case .drySequenceBreakers: .list(["\n", ":", "\"", "*"])
        case .mirostatMode: .integer(0)
        case .mirostatTau: .number(5)
        case .adaptiveDecay: .number(0.9)
        case .samplerPriority: .list(Self.defaultPriority)
        case .maxTokensSecond: .number(0)
        }
    }

    /// What the field does, for `docs/api.md` and `hearth --help`.
    public var summary: String {
        switch self {
        case .temperature: "0 is greedy"
        case .dynamicTemperature: "entropy-scaled temperature between `dynatemp_low` and `dynatemp_high`"
        case .dynatempLow, .dynatempHigh: "bounds of dynamic temperature"
        case .dynatempExponent: "exponent of dynamic temperature"
        case .temperatureLast: "move temperature to the end of `sampler_priority`"
        case .topP: "nucleus sampling; 1 is off (text-generation-webui's default; send 1 for OpenAI's)"
        case .topK: "0 is off"
        case .minP: "0 is off"
        case .typicalP: "locally typical sampling; 1 is off"
        case .topNSigma: "0 is off"
        case .xtcProbability: "XTC: how often the top choices above `xtc_threshold` are dropped; 0 is off"
        case .xtcThreshold: "XTC threshold"
        case .repetitionPenalty: "1 is off"
        case .repetitionPenaltyRange: "tokens the penalties and DRY look back; -1 is the whole context"
        case .presencePenalty, .frequencyPenalty: "0 is off"
        case .dryMultiplier: "DRY repetition penalty; 0 is off"
        case .dryBase: "DRY base"
        case .dryAllowedLength: "DRY: repeats this long are free"
        case .drySequenceBreakers: "JSON strings separated by commas, brackets optional"
        case .mirostatMode: "0 off, 1 Mirostat, 2 Mirostat 2.0; replaces the filtering stages, as in llama.cpp"
        case .mirostatTau, .mirostatEta: "Mirostat target and learning rate"
        case .adaptiveTarget: "adaptive-p target; replaces the final random pick; 0 is off"
        case .adaptiveDecay: "adaptive-p decay"
        case .samplerPriority:
            "stage order: a list, or a newline/comma separated string, of text-generation-webui's names; Transformers-only names are skipped"
        case .banEOSToken: "never end on an end-of-generation token"
        case .maxTokensSecond: "pace a stream to at most this many chunks per second; 0 is off"
        }
    }

    /// No vocabulary or context has more tokens than this; bounds `top_k` and ranges so they
    /// always fit llama.cpp's `int32_t`.
    public static let largestTokenCount = 1 << 24

    /// text-generation-webui's default `sampler_priority`, restricted to what llama.cpp has.
    public static let defaultPriority = [
        "repetition_penalty", "presence_penalty", "frequency_penalty", "dry", "top_n_sigma", "temperature", "dynamic_temperature",
        "top_k", "top_p", "typical_p", "min_p", "xtc",
    ]

    /// Stage names `sampler_priority` may hold; names of Transformers-only samplers are accepted
    /// and skipped.
    public static let stageNames: Set<String> = [
        "repetition_penalty", "presence_penalty", "frequency_penalty", "dry", "top_n_sigma", "temperature", "dynamic_temperature",
        "quadratic_sampling", "top_k", "top_p", "typical_p", "epsilon_cutoff", "eta_cutoff", "tfs", "top_a", "min_p", "adaptive_p",
        "mirostat", "xtc", "encoder_repetition_penalty", "no_repeat_ngram",
    ]

    /// Transformers-only fields of text-generation-webui: accepted (in requests and presets) and
    /// ignored, since llama.cpp has no such sampler.
    public static let ignoredNames: Set<String> = [
        "smoothing_factor", "smoothing_curve", "epsilon_cutoff", "eta_cutoff", "tfs", "top_a", "encoder_repetition_penalty",
        "no_repeat_ngram_size", "penalty_alpha", "guidance_scale", "negative_prompt", "do_sample", "prompt_lookup_num_tokens",
        "static_cache",
    ]
}

/// A value of a ``SamplerField``.
public enum SamplerValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case integer(Int)
    case flag(Bool)
    case list([String])

    /// The value as a number (integers widen; flags and lists are 0).
    public var number: Double {
        switch self {
        case .number(let value): value
        case .integer(let value): Double(value)
        case .flag(let value): value ? 1 : 0
        case .list: 0
        }
    }

    /// The value as a whole number (numbers round toward zero, within `Int`).
    public var integer: Int {
        switch self {
        case .integer(let value): value
        case .number(let value): value.isFinite ? Int(exactly: value.rounded(.towardZero)) ?? (value < 0 ? .min : .max) : 0
        case .flag(let value): value ? 1 : 0
        case .list: 0
        }
    }

    public var flag: Bool { number != 0 }

    /// The names or strings of a list value; empty for the others.
    public var list: [String] {
        if case .list(let names) = self { return names }
        return []
    }

    public var description: String {
        switch self {
        case .number(let value): SamplerValue.format(value)
        case .integer(let value): String(value)
        case .flag(let value): String(value)
        case .list(let names): names.map { "\"\($0.debugDescription.dropFirst().dropLast())\"" }.joined(separator: ", ")
        }
    }

    /// `1` for 1.0, `0.95` for 0.95.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension SamplerField {
    /// The field list of `docs/api.md`, generated from the table (a test keeps the page equal
    /// to it).
    public static var documentationTable: String {
        var lines = ["| field | default | range | notes |", "|---|---|---|---|"]
        for field in allCases {
            lines.append("| `\(field.wireName)` | \(field.defaultValue.documented) | \(field.kind.rangeText) | \(field.summary) |")
        }
        return lines.joined(separator: "\n")
    }
}

extension SamplerValue {
    /// The value as `docs/api.md` shows it.
    var documented: String {
        switch self {
        case .list(let names): names.map { "`\($0.debugDescription)`" }.joined(separator: " ")
        default: "\(self)"
        }
    }
}
