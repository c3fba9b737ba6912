import OpenAIAPI
import OrderedJSON

/// `POST /api/embed` (`input`: a string or strings) and the older `/api/embeddings` (`prompt`),
/// decoded in Ollama's words; their schemas are recorded from this decoding.
struct OllamaEmbedRequest: Sendable {
    var model: String?
    var texts: [String]
    /// `truncate: false`: an input longer than the model takes is a 400, not cut.
    var truncates: Bool

    fileprivate enum CodingKeys: String, CodingKey {
        case model, input, prompt, truncate, options
        case keepAlive = "keep_alive"
    }
}

/// `POST /api/embed`.
struct OllamaEmbedBody: Decodable {
    var request: OllamaEmbedRequest

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: OllamaEmbedRequest.CodingKeys.self)
        let model = try container.decodeIfPresent(String.self, forKey: .model)
        let truncates = try container.decodeIfPresent(Bool.self, forKey: .truncate) ?? true
        _ = try container.decodeIfPresent(JSON.self, forKey: .options)
        if let recorder = decoder as? any SchemaRecording {
            _ = try container.decode(JSON.self, forKey: .input)
            recorder.document([
                (
                    "input",
                    [
                        "anyOf": [
                            ["type": "string", "minLength": 1],
                            [
                                "type": "array", "items": ["type": "string", "minLength": 1], "minItems": 1,
                                "maxItems": .int(EmbeddingRequest.maxInputs),
                            ],
                        ]
                    ]
                ),
                ("keep_alive", ["anyOf": [["type": "string"], ["type": "number"]]]), ("options", ["type": "object"]),
            ])
            request = OllamaEmbedRequest(model: model, texts: [], truncates: truncates)
            return
        }
        let texts = try Moderation.inputs(JSON(from: decoder))
        if let index = texts.firstIndex(of: "") { throw OpenAIError.invalidValue("input[\(index)]", "input must not hold empty strings.") }
        request = OllamaEmbedRequest(model: model, texts: texts, truncates: truncates)
    }
}

/// `POST /api/embeddings`: one `prompt` (an empty one has an empty embedding).
struct OllamaEmbeddingsBody: Decodable {
    var request: OllamaEmbedRequest

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: OllamaEmbedRequest.CodingKeys.self)
        let model = try container.decodeIfPresent(String.self, forKey: .model)
        let prompt = try container.decode(String.self, forKey: .prompt)
        _ = try container.decodeIfPresent(JSON.self, forKey: .options)
        _ = try container.decodeIfPresent(JSON.self, forKey: .keepAlive)
        request = OllamaEmbedRequest(model: model, texts: prompt.isEmpty ? [] : [prompt], truncates: true)
    }
}

/// `POST /api/show`: `model` (or the older `name`).
struct OllamaShowRequest: Decodable {
    var name: String

    private enum CodingKeys: String, CodingKey { case model, name }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let model = try container.decodeIfPresent(String.self, forKey: .model)
        let name = try container.decodeIfPresent(String.self, forKey: .name)
        if decoder is any SchemaRecording {
            self.name = ""
            return
        }
        guard let given = OllamaRequest.modelName(model ?? name) else { throw OpenAIError.missingParameter("model") }
        self.name = given
    }
}
