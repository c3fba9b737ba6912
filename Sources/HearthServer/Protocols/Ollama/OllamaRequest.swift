import OpenAIAPI
import OrderedJSON

/// Ollama's `/api/chat` and `/api/generate` requests, decoded in their own words and mapped to
/// the ``ChatJob`` they mean. Refusals name the field as Ollama spells it
/// (`options.repeat_penalty`, `messages[2].images`); the OpenAPI document records the schemas
/// from this decoding. Streaming is the default, as in Ollama.
struct OllamaRequest: Sendable {
    /// The installed model the request names (`name:latest` is `name`).
    var model: String?
    var job: ChatJob
    /// `/api/generate`'s `context`: the tokens an earlier reply returned, continued from.
    var context: [Int] = []

    fileprivate enum CodingKeys: String, CodingKey {
        case model, messages, tools, prompt, system, raw, images, format, think, options, stream, suffix, template, context
        case keepAlive = "keep_alive"
    }

    /// The installed model an Ollama name means: `name:latest` is `name` (Ollama implies the
    /// tag); other tags stay part of the name.
    static func modelName(_ name: String?) -> String? {
        guard let name else { return nil }
        return name.hasSuffix(":latest") ? String(name.dropLast(":latest".count)) : name
    }

    /// `model`, `stream`, `format`, `think`, `keep_alive` and `options`, shared by both
    /// endpoints, read into `job`.
    fileprivate static func readShared(_ container: KeyedDecodingContainer<CodingKeys>, into job: inout ChatJob) throws -> String? {
        job.stream = try container.decodeIfPresent(Bool.self, forKey: .stream) ?? true
        switch try container.decodeIfPresent(JSON.self, forKey: .format) {
        case .string("json")?: job.options.constraint = .jsonObject(field: "format")
        case .object(let schema)?: job.options.constraint = .jsonSchema(.object(schema), field: "format")
        case nil, .null?, .string("")?: break
        default: throw OpenAIError.invalidValue("format", "expected \"json\" or a JSON Schema object.")
        }
        switch try container.decodeIfPresent(JSON.self, forKey: .think) {
        case .bool(let on)?: job.prompt.templateVariables.append(("enable_thinking", .bool(on)))
        case .string?: job.prompt.templateVariables.append(("enable_thinking", true))
        default: break
        }
        // Read (and refused when malformed) by OllamaKeepAlive before the request runs.
        _ = try container.decodeIfPresent(JSON.self, forKey: .keepAlive)
        if let options = try container.decodeIfPresent(OllamaOptions.self, forKey: .options) { try options.apply(to: &job) }
        return modelName(try container.decodeIfPresent(String.self, forKey: .model))
    }

    /// Schemas of the fields whose values are JSON, for the recorder.
    fileprivate static let sharedSchemas: [(String, JSON)] = [
        ("format", ["anyOf": [["const": "json"], ["type": "object"]]]), ("think", ["anyOf": [["type": "boolean"], ["type": "string"]]]),
        ("keep_alive", ["anyOf": [["type": "string"], ["type": "number"]]]),
    ]
}

/// `POST /api/chat`: `messages` (with `images`, `thinking`, `tool_calls`) and `tools`.
/// Assistant tool calls get ids in order and each `tool` message answers the oldest call not
/// yet answered (Ollama's messages carry no ids).
struct OllamaChatRequest: Decodable {
    var request: OllamaRequest

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: OllamaRequest.CodingKeys.self)
        if let recorder = decoder as? any SchemaRecording {
            _ = try container.decode([JSON].self, forKey: .messages)
            _ = try container.decodeIfPresent(OllamaOptions.self, forKey: .options)
            _ = try container.decodeIfPresent(String.self, forKey: .model)
            _ = try container.decodeIfPresent(Bool.self, forKey: .stream)
            recorder.document(
                OllamaRequest.sharedSchemas + [("messages", Self.messagesSchema), ("tools", ["type": "array", "items": ["type": "object"]])]
            )
            request = OllamaRequest(model: nil, job: ChatJob(messages: []))
            return
        }
        var job = ChatJob(messages: try Self.chatMessages(try container.decode([JSON].self, forKey: .messages)))
        if let tools = try container.decodeIfPresent(JSON.self, forKey: .tools), !tools.isNull {
            guard case .array(let list) = tools else { throw OpenAIError.invalidType("tools", expected: "an array of tools") }
            job.tools = list.isEmpty ? nil : tools
        }
        let model = try OllamaRequest.readShared(container, into: &job)
        request = OllamaRequest(model: model, job: job)
    }

    private static let messagesSchema: JSON = [
        "type": "array",
        "items": [
            "type": "object", "required": ["role"],
            "properties": [
                "role": ["enum": .array(ChatMessage.roles.sorted().map(JSON.string))], "content": ["type": "string"], "thinking": ["type": "string"],
                "images": ["type": "array", "maxItems": 0], "tool_calls": ["type": "array", "items": ["type": "object"]],
            ],
        ],
    ]

    /// Ollama's messages as chat-template messages.
    static func chatMessages(_ turns: [JSON]) throws(OpenAIError) -> [JSON] {
        var messages: [JSON] = []
        var calls = 0
        var unanswered: [String] = []
        for (index, turn) in turns.enumerated() {
            let param = "messages[\(index)]"
            guard let role = turn["role"]?.string else { throw .missingParameter("\(param).role") }
            guard ChatMessage.roles.contains(role) else {
                throw .invalidValue(
                    "\(param).role",
                    "'\(role)' is not one of \(ChatMessage.roles.sorted().map { "'\($0)'" }.joined(separator: ", "))."
                )
            }
            if let images = turn["images"], images != .array([]), !images.isNull {
                throw .invalidValue("\(param).images", "this model reads text only.")
            }
            var message: [(String, JSON)] = [("role", .string(role)), ("content", .string(turn["content"]?.string ?? ""))]
            if let thinking = turn["thinking"]?.string, !thinking.isEmpty { message.append(("reasoning_content", .string(thinking))) }
            if case .array(let toolCalls)? = turn["tool_calls"], !toolCalls.isEmpty {
                var converted: [JSON] = []
                for call in toolCalls {
                    let id = "call_\(calls)"
                    calls += 1
                    unanswered.append(id)
                    let function = call["function"] ?? [:]
                    let arguments = function["arguments"] ?? [:]
                    converted.append([
                        "id": .string(id), "type": "function",
                        "function": ["name": function["name"] ?? "", "arguments": .string(arguments.string ?? arguments.serialized)],
                    ])
                }
                message.append(("tool_calls", .array(converted)))
            }
            if role == "tool" {
                message.append(("tool_call_id", .string(unanswered.isEmpty ? "call_\(calls)" : unanswered.removeFirst())))
            }
            messages.append(.object(message))
        }
        return messages
    }
}

/// `POST /api/generate`: `system` and `prompt` as two messages rendered with the model's
/// template. `raw` prompts are refused: `/v1/completions` takes them.
struct OllamaGenerateRequest: Decodable {
    var request: OllamaRequest

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: OllamaRequest.CodingKeys.self)
        if let recorder = decoder as? any SchemaRecording {
            for key in [OllamaRequest.CodingKeys.prompt, .system, .model] { _ = try container.decodeIfPresent(String.self, forKey: key) }
            _ = try container.decodeIfPresent(OllamaOptions.self, forKey: .options)
            _ = try container.decodeIfPresent([Int].self, forKey: .context)
            _ = try container.decodeIfPresent(Bool.self, forKey: .stream)
            recorder.document(
                OllamaRequest.sharedSchemas + [
                    ("raw", ["type": "boolean", "const": false, "description": "true is refused: POST /v1/completions takes raw prompts."]),
                    ("images", ["type": "array", "maxItems": 0]),
                    (
                        "context",
                        [
                            "type": "array", "items": ["type": "integer", "minimum": 0],
                            "description": "The context an earlier /api/generate reply returned: this prompt continues it.",
                        ]
                    ),
                ]
            )
            request = OllamaRequest(model: nil, job: ChatJob(messages: []))
            return
        }
        if try container.decodeIfPresent(Bool.self, forKey: .raw) == true {
            throw OpenAIError.invalidValue("raw", "raw prompts are served by POST /v1/completions; /api/generate applies the model's template.")
        }
        if let images = try container.decodeIfPresent(JSON.self, forKey: .images), images != .array([]), !images.isNull {
            throw OpenAIError.invalidValue("images", "this model reads text only.")
        }
        var messages: [JSON] = []
        if let system = try container.decodeIfPresent(String.self, forKey: .system), !system.isEmpty {
            messages.append(["role": "system", "content": .string(system)])
        }
        messages.append(["role": "user", "content": .string(try container.decodeIfPresent(String.self, forKey: .prompt) ?? "")])
        var job = ChatJob(messages: messages)
        job.names.messages = "prompt"
        let model = try OllamaRequest.readShared(container, into: &job)
        request = OllamaRequest(model: model, job: job)
        request.context = try container.decodeIfPresent([Int].self, forKey: .context) ?? []
    }
}

/// Ollama's `options`: the sampler ones under Ollama's names (`repeat_penalty` is
/// `repetition_penalty`), `num_predict` and `stop`. Options of the runner (`num_ctx`,
/// `num_thread`, `num_gpu`, …) are set per model at load time here, so they are ignored per
/// request.
struct OllamaOptions: Decodable {
    private var sampling = SamplerSettings()
    private var numPredict: Int?
    private var seed: Int64?
    private var stop: [String] = []

    private enum CodingKeys: String, CodingKey {
        case temperature, seed, stop, mirostat
        case numPredict = "num_predict"
        case repeatPenalty = "repeat_penalty"
        case repeatLastN = "repeat_last_n"
        case topK = "top_k"
        case topP = "top_p"
        case minP = "min_p"
        case typicalP = "typical_p"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case mirostatTau = "mirostat_tau"
        case mirostatEta = "mirostat_eta"
    }

    /// Each sampler option and the table field it sets.
    private static let samplers: [(CodingKeys, SamplerField)] = [
        (.temperature, .temperature), (.repeatPenalty, .repetitionPenalty), (.repeatLastN, .repetitionPenaltyRange), (.topK, .topK),
        (.topP, .topP), (.minP, .minP), (.typicalP, .typicalP), (.presencePenalty, .presencePenalty), (.frequencyPenalty, .frequencyPenalty),
        (.mirostat, .mirostatMode), (.mirostatTau, .mirostatTau), (.mirostatEta, .mirostatEta),
    ]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let recorder = decoder as? any SchemaRecording {
            recorder.document(
                Self.samplers.map { ($0.0.stringValue, $0.1.jsonSchema) } + [
                    (
                        "num_predict",
                        [
                            "type": "integer", "minimum": -2,
                            "description": "Tokens to generate: -1 (or -2) for no limit; 0 is refused (nothing to generate).",
                            "not": ["const": 0],
                        ]
                    ),
                    ("seed", ["type": "integer"]), ("stop", ["type": "array", "items": ["type": "string"]]),
                ]
            )
            return
        }
        for (key, field) in Self.samplers { try sampling.decode(field, from: container, forKey: key) }
        if let limit = try container.decodeIfPresent(Int.self, forKey: .numPredict) {
            // -1 (until the end) and -2 (fill the context) mean no limit.
            guard limit != 0, limit >= -2 else {
                throw OpenAIError.invalidValue(
                    "options.num_predict",
                    "expected a number of tokens to generate (>= 1), or -1 or -2 for no limit, but got \(limit) instead."
                )
            }
            numPredict = limit > 0 ? limit : nil
        }
        seed = try container.decodeIfPresent(Int64.self, forKey: .seed)
        stop = try container.decodeIfPresent([String].self, forKey: .stop) ?? []
    }

    func apply(to job: inout ChatJob) throws {
        job.options.sampling = sampling
        job.maxTokens = numPredict
        job.options.seed = seed
        job.options.stop = stop
    }
}

extension OpenAIError {
    /// The error in Ollama's envelope, `{"error": "…"}`.
    var ollamaJSON: JSON { ["error": .string(message)] }
}
