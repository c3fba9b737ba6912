import Foundation
import OrderedJSON

/// Sampling and stopping fields shared by every request that generates text, decoded from the
/// same JSON object as the request itself (as text-generation-webui's `GenerationOptions`).
///
/// Absent fields stay `nil`: the server fills in its defaults, so that later layers (presets,
/// server-wide flags) can tell "not sent" from "sent".
public struct GenerationOptions: Decodable, Sendable, Equatable {
    /// Every field of the sampler table (``SamplerField``) the request sent.
    public var sampling: SamplerSettings
    public var seed: Int64?
    public var stop: [String]
    public var n: Int?
    /// OpenAI's `logit_bias`: token id → bias in −100…100 (−100 bans the token).
    public var logitBias: [Int: Double]
    /// text-generation-webui's `custom_token_bans`: token ids, comma-separated.
    public var customTokenBans: [Int]
    /// What the output must be: a JSON Schema, a regex, a choice or a grammar, from whichever
    /// field carried it (`response_format`, `json_schema`, `grammar_string`, `guided_*`, …).
    public var constraint: OutputConstraint?
    public var autoMaxNewTokens: Bool?
    public var addBOSToken: Bool?
    public var skipSpecialTokens: Bool?
    /// `preset`: a file of sampler fields under the server's preset folder.
    public var preset: String?
    /// `lora`: the LoRA adapters this request runs with, over the server's active ones.
    public var lora: [AdapterChoice]?
    /// `speculative: false` turns speculative decoding off for this request (Hearth's own).
    public var speculative: Bool?
    /// OpenAI's Predicted Outputs: `prediction.content`, the text the reply is expected to
    /// repeat mostly (a file being edited); drafts for speculative decoding come from it.
    public var prediction: String?

    public init() {
        sampling = SamplerSettings()
        stop = []
        logitBias = [:]
        customTokenBans = []
    }

    private enum CodingKeys: String, CodingKey {
        case seed, stop, n, preset, lora, speculative, prediction
        case logitBias = "logit_bias"
        case customTokenBans = "custom_token_bans"
        case autoMaxNewTokens = "auto_max_new_tokens"
        case addBOSToken = "add_bos_token"
        case skipSpecialTokens = "skip_special_tokens"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sampling = try SamplerSettings(from: decoder)
        seed = try container.decodeIfPresent(Int64.self, forKey: .seed)
        n = try container.decodeIfPresent(Int.self, forKey: .n)
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
        if let recorder = decoder as? any SchemaRecording {
            recorder.document(OutputConstraint.fieldSchemas)
            // The upper bound is the server's --parallel.
            recorder.document([("n", ["type": "integer", "minimum": 1])])
            constraint = nil
        } else {
            constraint = try OutputConstraint.read(from: JSON(from: decoder))
        }
        autoMaxNewTokens = try container.decodeIfPresent(Bool.self, forKey: .autoMaxNewTokens)
        addBOSToken = try container.decodeIfPresent(Bool.self, forKey: .addBOSToken)
        skipSpecialTokens = try container.decodeIfPresent(Bool.self, forKey: .skipSpecialTokens)
        stop = try container.decodeIfPresent(OneOrMany<String>.self, forKey: .stop)?.values ?? []
        preset = try container.decodeIfPresent(String.self, forKey: .preset).flatMap { $0.isEmpty || $0 == "None" ? nil : $0 }
        lora = try container.decodeIfPresent([AdapterChoice].self, forKey: .lora)
        speculative = try container.decodeIfPresent(Bool.self, forKey: .speculative)
        prediction = try container.decodeIfPresent(Prediction.self, forKey: .prediction)?.content
    }

    /// Checks what the sampler table does not: the other fields' ranges. Sampler fields were
    /// checked as they were decoded.
    public func validate() throws(OpenAIError) {
        if let (token, bias) = logitBias.first(where: { !(-100...100).contains($0.value) }) {
            throw .invalidValue("logit_bias", "the bias of token \(token) must be between -100 and 100, but got \(bias).")
        }
        // The upper bound is the server's --parallel, which the engine checks.
        if let n, n < 1 {
            throw .invalidValue("n", "expected at least 1 choice, but got \(n) instead.")
        }
    }

    /// `max_tokens_second`, when the request paces its stream.
    public var tokensPerSecond: Double? {
        sampling[.maxTokensSecond].map(\.number).flatMap { $0 > 0 ? $0 : nil }
    }
}

/// A JSON field that may hold one value or an array of them (`"stop": "x"` or `["x","y"]`).
public struct OneOrMany<Element: Decodable & Sendable>: Decodable, Sendable {
    public var values: [Element]

    public init(from decoder: any Decoder) throws {
        if let recorder = decoder as? any SchemaRecording {
            let element = try SchemaRecorder.schema(of: Element.self)
            recorder.describe(["anyOf": [element, ["type": "array", "items": element]]])
            values = []
            return
        }
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
