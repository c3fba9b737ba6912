import Foundation

/// Sampling and stopping fields shared by every request that generates text, decoded from the
/// same JSON object as the request itself (as text-generation-webui's `GenerationOptions`).
///
/// Absent fields stay `nil`: the server fills in its defaults, so that later layers (presets,
/// server-wide flags) can tell "not sent" from "sent".
public struct GenerationOptions: Decodable, Sendable, Equatable {
    public var temperature: Double?
    public var topP: Double?
    public var topK: Int?
    public var minP: Double?
    public var seed: Int64?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    public var repetitionPenalty: Double?
    public var repetitionPenaltyRange: Int?
    public var stop: [String]
    public var n: Int?
    /// Never end on an end-of-generation token (text-generation-webui's `ban_eos_token`).
    public var banEOSToken: Bool?
    /// OpenAI's `logit_bias`: token id → bias in −100…100 (−100 bans the token).
    public var logitBias: [Int: Double]
    /// text-generation-webui's `custom_token_bans`: token ids, comma-separated.
    public var customTokenBans: [Int]
    /// text-generation-webui's `grammar_string`: a GBNF grammar whose root rule is `root`.
    public var grammarString: String?
    /// The other text-generation-webui sampler fields llama.cpp can honour, by wire name
    /// (`typical_p`, `dry_multiplier`, `mirostat_mode`, …); see ``numericFields``.
    public var numbers: [String: Double]
    public var dynamicTemperature: Bool?
    public var temperatureLast: Bool?
    /// `sampler_priority`: stage names, from a list or a newline/comma separated string.
    public var samplerPriority: [String]?
    /// `dry_sequence_breakers`: JSON strings separated by commas, brackets optional.
    public var drySequenceBreakers: [String]?
    public var autoMaxNewTokens: Bool?
    public var addBOSToken: Bool?
    public var skipSpecialTokens: Bool?

    /// Numeric sampler fields and their allowed ranges.
    public static let numericFields: [(name: String, range: ClosedRange<Double>)] = [
        ("dynatemp_low", 0...5), ("dynatemp_high", 0...5), ("dynatemp_exponent", 0...10), ("typical_p", 0...1),
        ("top_n_sigma", 0...10), ("xtc_threshold", 0...1), ("xtc_probability", 0...1), ("dry_multiplier", 0...10),
        ("dry_base", 1...10), ("dry_allowed_length", 1...1000), ("mirostat_mode", 0...2), ("mirostat_tau", 0...100),
        ("mirostat_eta", 0...1), ("adaptive_target", 0...1), ("adaptive_decay", 0...1),
        ("max_tokens_second", 0...100_000),
    ]

    /// Stage names `sampler_priority` may hold; names of Transformers-only samplers are accepted
    /// and skipped.
    public static let samplerNames: Set<String> = [
        "repetition_penalty", "presence_penalty", "frequency_penalty", "dry", "top_n_sigma", "temperature", "dynamic_temperature",
        "quadratic_sampling", "top_k", "top_p", "typical_p", "epsilon_cutoff", "eta_cutoff", "tfs", "top_a", "min_p", "adaptive_p",
        "mirostat", "xtc", "encoder_repetition_penalty", "no_repeat_ngram",
    ]

    public init() {
        stop = []
        logitBias = [:]
        customTokenBans = []
        numbers = [:]
    }

    private enum CodingKeys: String, CodingKey {
        case temperature, seed, stop, n
        case topP = "top_p"
        case topK = "top_k"
        case minP = "min_p"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case repetitionPenalty = "repetition_penalty"
        case repetitionPenaltyRange = "repetition_penalty_range"
        case banEOSToken = "ban_eos_token"
        case logitBias = "logit_bias"
        case customTokenBans = "custom_token_bans"
        case grammarString = "grammar_string"
        case dynamicTemperature = "dynamic_temperature"
        case temperatureLast = "temperature_last"
        case samplerPriority = "sampler_priority"
        case drySequenceBreakers = "dry_sequence_breakers"
        case autoMaxNewTokens = "auto_max_new_tokens"
        case addBOSToken = "add_bos_token"
        case skipSpecialTokens = "skip_special_tokens"
    }

    private struct NumberKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        topK = try container.decodeIfPresent(Int.self, forKey: .topK)
        minP = try container.decodeIfPresent(Double.self, forKey: .minP)
        seed = try container.decodeIfPresent(Int64.self, forKey: .seed)
        presencePenalty = try container.decodeIfPresent(Double.self, forKey: .presencePenalty)
        frequencyPenalty = try container.decodeIfPresent(Double.self, forKey: .frequencyPenalty)
        repetitionPenalty = try container.decodeIfPresent(Double.self, forKey: .repetitionPenalty)
        repetitionPenaltyRange = try container.decodeIfPresent(Int.self, forKey: .repetitionPenaltyRange)
        n = try container.decodeIfPresent(Int.self, forKey: .n)
        banEOSToken = try container.decodeIfPresent(Bool.self, forKey: .banEOSToken)
        logitBias = [:]
        for (key, bias) in try container.decodeIfPresent([String: Double].self, forKey: .logitBias) ?? [:] {
            guard let token = Int(key) else {
                throw OpenAIError.invalidValue("logit_bias", "keys must be token ids, but got '\(key)'.")
            }
            logitBias[token] = bias
        }
        let bans = try container.decodeIfPresent(String.self, forKey: .customTokenBans) ?? ""
        customTokenBans = try bans.split(separator: ",").map { item in
            let text = item.trimmingCharacters(in: .whitespaces)
            guard let token = Int(text) else {
                throw OpenAIError.invalidValue("custom_token_bans", "expected comma-separated token ids, but got '\(text)'.")
            }
            return token
        }
        grammarString = try container.decodeIfPresent(String.self, forKey: .grammarString).flatMap { $0.isEmpty ? nil : $0 }
        let numeric = try decoder.container(keyedBy: NumberKey.self)
        numbers = [:]
        for (name, _) in Self.numericFields {
            if let value = try numeric.decodeIfPresent(Double.self, forKey: NumberKey(stringValue: name)) { numbers[name] = value }
        }
        dynamicTemperature = try container.decodeIfPresent(Bool.self, forKey: .dynamicTemperature)
        temperatureLast = try container.decodeIfPresent(Bool.self, forKey: .temperatureLast)
        if let list = try? container.decodeIfPresent([String].self, forKey: .samplerPriority) {
            samplerPriority = list
        } else if let text = try container.decodeIfPresent(String.self, forKey: .samplerPriority) {
            samplerPriority = text.split(whereSeparator: { $0 == "\n" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        if let text = try container.decodeIfPresent(String.self, forKey: .drySequenceBreakers) {
            let list = text.trimmingCharacters(in: .whitespaces).hasPrefix("[") ? text : "[\(text)]"
            guard let breakers = try? JSONDecoder().decode([String].self, from: Data(list.utf8)) else {
                throw OpenAIError.invalidValue("dry_sequence_breakers", "expected JSON strings separated by commas, like \"\\n\", \":\".")
            }
            drySequenceBreakers = breakers
        }
        autoMaxNewTokens = try container.decodeIfPresent(Bool.self, forKey: .autoMaxNewTokens)
        addBOSToken = try container.decodeIfPresent(Bool.self, forKey: .addBOSToken)
        skipSpecialTokens = try container.decodeIfPresent(Bool.self, forKey: .skipSpecialTokens)
        stop = try container.decodeIfPresent(OneOrMany<String>.self, forKey: .stop)?.values ?? []
    }

    /// Checks every range; throws an error that names the first field out of range.
    public func validate() throws(OpenAIError) {
        try Self.check("temperature", temperature, in: 0...2)
        try Self.check("top_p", topP, in: 0...1)
        try Self.check("min_p", minP, in: 0...1)
        try Self.check("presence_penalty", presencePenalty, in: -2...2)
        try Self.check("frequency_penalty", frequencyPenalty, in: -2...2)
        if let repetitionPenalty, repetitionPenalty <= 0 {
            throw .invalidValue("repetition_penalty", "expected a value > 0, but got \(repetitionPenalty) instead.")
        }
        if let topK, topK < 0 {
            throw .invalidValue("top_k", "expected a value >= 0, but got \(topK) instead.")
        }
        if let repetitionPenaltyRange, repetitionPenaltyRange < -1 {
            throw .invalidValue("repetition_penalty_range", "expected a value >= -1, but got \(repetitionPenaltyRange) instead.")
        }
        if let (token, bias) = logitBias.first(where: { !(-100...100).contains($0.value) }) {
            throw .invalidValue("logit_bias", "the bias of token \(token) must be between -100 and 100, but got \(bias).")
        }
        for (name, range) in Self.numericFields {
            try Self.check(name, numbers[name], in: range)
        }
        if let name = samplerPriority?.first(where: { !Self.samplerNames.contains($0) }) {
            throw .invalidValue("sampler_priority", "'\(name)' is not a sampler; use names like top_k, top_p, temperature, min_p.")
        }
        if let n, !(1...128).contains(n) {
            throw .invalidValue("n", "expected a value between 1 and 128, but got \(n) instead.")
        }
    }

    static func check(_ param: String, _ value: Double?, in range: ClosedRange<Double>) throws(OpenAIError) {
        guard let value else { return }
        guard value.isFinite else { throw .invalidValue(param, "expected a finite number.") }
        if value < range.lowerBound {
            throw .invalidValue(
                param,
                "decimal below minimum value. Expected a value >= \(format(range.lowerBound)), but got \(format(value)) instead."
            )
        }
        if value > range.upperBound {
            throw .invalidValue(
                param,
                "decimal above maximum value. Expected a value <= \(format(range.upperBound)), but got \(format(value)) instead."
            )
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// A JSON field that may hold one value or an array of them (`"stop": "x"` or `["x","y"]`).
public struct OneOrMany<Element: Decodable & Sendable>: Decodable, Sendable {
    public var values: [Element]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(Element.self) {
            values = [one]
        } else if let many = try? container.decode([Element].self) {
            values = many
        } else {
            let name = Element.self == String.self ? "a string" : "a value"
            throw OpenAIError.invalidType(
                RequestDecoder.path(decoder.codingPath),
                expected: "\(name) or an array of them"
            )
        }
    }
}

/// `stream_options`.
public struct StreamOptions: Decodable, Sendable, Equatable {
    /// Send a last chunk with `usage` and empty `choices` before `[DONE]`.
    public var includeUsage: Bool

    private enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }

    public init(includeUsage: Bool = false) { self.includeUsage = includeUsage }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        includeUsage = try container.decodeIfPresent(Bool.self, forKey: .includeUsage) ?? false
    }
}
