import OrderedJSON

/// `POST /v1/moderations`, computed as text-generation-webui computes it: a heuristic from
/// embeddings, not a trained classifier. Each category's score is twice the cosine of the input's
/// embedding and the category name's; the input is flagged in a category over 0.5.
public enum Moderation {
    /// OpenAI's category names, as text-generation-webui scores them.
    public static let categories = [
        "sexual", "hate", "harassment", "self-harm", "sexual/minors", "hate/threatening", "violence/graphic", "self-harm/intent",
        "self-harm/instructions", "harassment/threatening", "violence",
    ]

    /// A score over this flags the input in that category.
    public static let threshold = 0.5

    /// The texts to check: `input` as a string or a list of strings.
    public static func inputs(_ json: JSON) throws(OpenAIError) -> [String] {
        switch json["input"] {
        case nil, .null?: throw .missingParameter("input")
        case .string(let text)?: return [text]
        case .array(let items)?:
            guard !items.isEmpty else { throw .invalidValue("input", "input must not be an empty list.") }
            guard items.count <= EmbeddingRequest.maxInputs else {
                throw .invalidValue("input", "at most \(EmbeddingRequest.maxInputs) inputs may be checked in one request.")
            }
            var texts: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else { throw .invalidType("input[\(index)]", expected: "a string") }
                texts.append(text)
            }
            return texts
        default: throw .invalidType("input", expected: "a string or a list of strings")
        }
    }

    /// One result: `{"flagged", "categories", "category_scores"}`, from the input's vector and
    /// the category names' vectors (both normalised), in ``categories`` order.
    public static func result(input: [Float], categories vectors: [[Float]]) -> JSON {
        let scores = vectors.map { vector in 2 * zip(input, vector).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
        let flags = scores.map { $0 > threshold }
        return [
            "flagged": .bool(flags.contains(true)),
            "categories": .object(zip(categories, flags).map { ($0, .bool($1)) }),
            "category_scores": .object(zip(categories, scores).map { ($0, .double($1)) }),
        ]
    }
}

/// The body of `POST /v1/moderations`: `input`, a string or a list of strings (`model` is
/// accepted and ignored). Its schema is recorded from this decoding.
public struct ModerationRequest: Decodable, Sendable {
    public var inputs: [String]

    private enum CodingKeys: String, CodingKey { case input, model }

    public init(from decoder: any Decoder) throws {
        guard let recorder = decoder as? any SchemaRecording else {
            inputs = try Moderation.inputs(JSON(from: decoder))
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        _ = try container.decode(JSON.self, forKey: .input)
        _ = try container.decodeIfPresent(String.self, forKey: .model)
        recorder.document([
            (
                "input",
                [
                    "anyOf": [
                        ["type": "string"],
                        ["type": "array", "items": ["type": "string"], "minItems": 1, "maxItems": .int(EmbeddingRequest.maxInputs)],
                    ]
                ]
            )
        ])
        inputs = []
    }
}
