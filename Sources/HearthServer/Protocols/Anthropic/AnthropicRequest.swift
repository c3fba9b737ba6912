import OpenAIAPI
import OrderedJSON

/// Anthropic's Messages request (`POST /v1/messages`, and `count_tokens` without `max_tokens`),
/// decoded in its own words and mapped to the ``ChatJob`` it means: `system` becomes a system
/// message, content blocks become content parts, `tool_use` blocks become `tool_calls`,
/// `tool_result` blocks become `tool` messages, `thinking` blocks become `reasoning_content`;
/// `stop_sequences`, samplers, `tools` (`input_schema`), `tool_choice`, `thinking` and
/// `output_config.format` become the job's. Every refusal names the field as Anthropic spells
/// it (`stop_sequences[2]`, `messages[1].content[0].type`, `tools[0].input_schema`).
///
/// The OpenAPI document records its schema from this decoding.
struct AnthropicRequest: Decodable {
    var model: String?
    var job: ChatJob

    private enum CodingKeys: String, CodingKey {
        case model, system, messages, tools, stream, thinking, metadata
        case maxTokens = "max_tokens"
        case stopSequences = "stop_sequences"
        case toolChoice = "tool_choice"
        case outputConfig = "output_config"
        case outputFormat = "output_format"
    }

    init(from decoder: any Decoder) throws {
        try self.init(from: decoder, requiringMaxTokens: true)
    }

    /// - Parameter requiringMaxTokens: false for `count_tokens`, which generates nothing.
    init(from decoder: any Decoder, requiringMaxTokens: Bool) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let recorder = decoder as? any SchemaRecording {
            // The fields that are required, read; then every field's schema, bounds from the
            // checks below (the sampler table's ranges, `max_tokens` from 1).
            _ = try container.decode([JSON].self, forKey: .messages)
            if requiringMaxTokens { _ = try container.decode(Int.self, forKey: .maxTokens) }
            _ = try SamplerSettings(from: decoder)
            recorder.document(
                AnthropicSchemas.fields + [
                    ("max_tokens", ["type": "integer", "minimum": 1]), ("stop_sequences", ["type": "array", "items": ["type": "string"]]),
                    ("stream", ["type": "boolean"]), ("metadata", ["type": "object"]),
                ]
            )
            (model, job) = (nil, ChatJob(messages: []))
            return
        }
        model = try container.decodeIfPresent(String.self, forKey: .model)
        var messages: [JSON] = []
        if let system = try container.decodeIfPresent(JSON.self, forKey: .system), !system.isNull {
            messages.append(["role": "system", "content": .string(try Self.text(of: system, param: "system"))])
        }
        let turns = try container.decode([JSON].self, forKey: .messages)
        guard !turns.isEmpty else {
            throw OpenAIError.invalidValue("messages", "expected an array with minimum length 1, but got an empty array instead.")
        }
        for (index, turn) in turns.enumerated() {
            messages += try Self.chatMessages(turn, param: "messages[\(index)]")
        }
        job = ChatJob(messages: messages)
        job.names.toolMembers = ["function.parameters": "input_schema", "function.name": "name", "function.description": "description"]
        if requiringMaxTokens || container.contains(.maxTokens) {
            let maxTokens = try container.decode(Int.self, forKey: .maxTokens)
            guard maxTokens >= 1 else {
                throw OpenAIError.invalidValue("max_tokens", "integer below minimum value. Expected a value >= 1, but got \(maxTokens) instead.")
            }
            job.maxTokens = maxTokens
        }
        job.options.stop = try container.decodeIfPresent([String].self, forKey: .stopSequences) ?? []
        // Anthropic's temperature, top_p and top_k, and every other field of the sampler table
        // (min_p, repetition_penalty, …: the SDK sends them through extra_body).
        job.options.sampling = try SamplerSettings(from: decoder)
        if let tools = try container.decodeIfPresent([JSON].self, forKey: .tools) {
            job.tools = .array(try tools.enumerated().map { index, tool throws(OpenAIError) in try Self.function(tool, param: "tools[\(index)]") })
        }
        if let choice = try container.decodeIfPresent(JSON.self, forKey: .toolChoice), !choice.isNull {
            try Self.read(toolChoice: choice, into: &job)
        }
        if let thinking = try container.decodeIfPresent(JSON.self, forKey: .thinking), let type = thinking["type"]?.string {
            job.prompt.templateVariables.append(("enable_thinking", .bool(type != "disabled")))
        }
        // Structured output (`messages.parse`, `with_structured_output`): enforced like
        // `response_format`, never ignored. The beta's top-level `output_format` has the same shape.
        let formats = [
            ("output_config.format", try container.decodeIfPresent(JSON.self, forKey: .outputConfig)?["format"]),
            ("output_format", try container.decodeIfPresent(JSON.self, forKey: .outputFormat)),
        ]
        for case (let param, let format?) in formats where !format.isNull {
            guard format["type"]?.string == "json_schema" else { throw OpenAIError.invalidValue("\(param).type", "expected 'json_schema'.") }
            guard let schema = format["schema"], case .object = schema else {
                throw format["schema"] == nil
                    ? OpenAIError.missingParameter("\(param).schema") : OpenAIError.invalidType("\(param).schema", expected: "an object")
            }
            job.options.constraint = .jsonSchema(schema, field: param)
        }
        job.stream = try container.decodeIfPresent(Bool.self, forKey: .stream) ?? false
        _ = try container.decodeIfPresent(JSON.self, forKey: .metadata)
    }

    /// The text of a `system` field or a `tool_result`'s content: a string or text blocks.
    static func text(of value: JSON, param: String) throws(OpenAIError) -> String {
        switch value {
        case .string(let text): return text
        case .array(let blocks):
            var parts: [String] = []
            for (index, block) in blocks.enumerated() {
                guard block["type"]?.string == "text", let text = block["text"]?.string else {
                    throw .invalidValue("\(param)[\(index)]", "expected a text block ({\"type\": \"text\", \"text\": …}).")
                }
                parts.append(text)
            }
            return parts.joined(separator: "\n")
        default: throw .invalidType(param, expected: "a string or an array of text blocks")
        }
    }

    /// One Messages turn as chat messages: a user turn's tool results come first, as `tool`
    /// messages, then its text; an assistant turn is one message with its calls.
    static func chatMessages(_ turn: JSON, param: String) throws(OpenAIError) -> [JSON] {
        guard let role = turn["role"]?.string else { throw .missingParameter("\(param).role") }
        guard role == "user" || role == "assistant" else {
            throw .invalidValue("\(param).role", "expected 'user' or 'assistant', but got '\(role)'.")
        }
        guard let content = turn["content"] else { throw .missingParameter("\(param).content") }
        if case .string = content { return [["role": .string(role), "content": content]] }
        guard case .array(let blocks) = content else { throw .invalidType("\(param).content", expected: "a string or an array of content blocks") }
        var parts: [JSON] = []
        var results: [JSON] = []
        var calls: [JSON] = []
        var reasoning = ""
        for (index, block) in blocks.enumerated() {
            let blockParam = "\(param).content[\(index)]"
            let type = block["type"]?.string ?? ""
            switch (role, type) {
            case (_, "text"):
                guard let text = block["text"]?.string else { throw .missingParameter("\(blockParam).text") }
                parts.append(["type": "text", "text": .string(text)])
            case (_, "image"), (_, "document"):
                throw .invalidValue("\(blockParam).type", "'\(type)' blocks need a model that reads them; this model reads text only.")
            case ("user", "tool_result"):
                guard let id = block["tool_use_id"]?.string else { throw .missingParameter("\(blockParam).tool_use_id") }
                var text = try block["content"].map { value throws(OpenAIError) in try Self.text(of: value, param: "\(blockParam).content") } ?? ""
                if block["is_error"] == .bool(true) { text = "Error: " + text }
                results.append(["role": "tool", "tool_call_id": .string(id), "content": .string(text)])
            case ("assistant", "tool_use"):
                guard let id = block["id"]?.string, let name = block["name"]?.string else {
                    throw .missingParameter("\(blockParam).\(block["id"] == nil ? "id" : "name")")
                }
                let input = block["input"] ?? .object([])
                calls.append(["id": .string(id), "type": "function", "function": ["name": .string(name), "arguments": .string(input.serialized)]])
            case ("assistant", "thinking"):
                reasoning += block["thinking"]?.string ?? ""
            case ("assistant", "redacted_thinking"):
                continue
            default:
                throw .invalidValue("\(blockParam).type", "'\(type)' blocks are not supported in \(role) turns.")
            }
        }
        if role == "user" {
            return results + (parts.isEmpty ? [] : [["role": "user", "content": .array(parts)]])
        }
        var message: [(String, JSON)] = [("role", "assistant")]
        let text = parts.compactMap { $0["text"]?.string }.joined()
        message.append(("content", text.isEmpty && !calls.isEmpty ? .null : .string(text)))
        if !reasoning.isEmpty { message.append(("reasoning_content", .string(reasoning))) }
        if !calls.isEmpty { message.append(("tool_calls", .array(calls))) }
        return [.object(message)]
    }

    /// A client tool as an OpenAI function tool; Anthropic's server tools are refused.
    static func function(_ tool: JSON, param: String) throws(OpenAIError) -> JSON {
        if let type = tool["type"]?.string, type != "custom" {
            throw .invalidValue("\(param).type", "only client tools (name, description, input_schema) run here; '\(type)' is a server tool.")
        }
        guard let name = tool["name"]?.string else { throw .missingParameter("\(param).name") }
        var function: [(String, JSON)] = [("name", .string(name))]
        if let description = tool["description"]?.string { function.append(("description", .string(description))) }
        function.append(("parameters", tool["input_schema"] ?? ["type": "object"]))
        return ["type": "function", "function": .object(function)]
    }

    /// `tool_choice`: `auto`, `any` (a call is required), `tool` (that one), `none`;
    /// `disable_parallel_tool_use` turns parallel calls off.
    static func read(toolChoice choice: JSON, into job: inout ChatJob) throws(OpenAIError) {
        switch choice["type"]?.string {
        case "auto": job.toolChoice = "auto"
        case "any": job.toolChoice = "required"
        case "none": job.toolChoice = "none"
        case "tool":
            guard let name = choice["name"]?.string else { throw .missingParameter("tool_choice.name") }
            job.toolChoice = ["type": "function", "function": ["name": .string(name)]]
        default:
            throw .invalidValue("tool_choice.type", "expected 'auto', 'any', 'tool' or 'none'.")
        }
        if choice["disable_parallel_tool_use"] == .bool(true) { job.parallelToolCalls = false }
    }
}

/// `count_tokens`: the same request, `max_tokens` optional (nothing is generated).
struct AnthropicTokenCountRequest: Decodable {
    var request: AnthropicRequest

    init(from decoder: any Decoder) throws {
        request = try AnthropicRequest(from: decoder, requiringMaxTokens: false)
    }
}

extension OpenAIError {
    /// The error in Anthropic's envelope, `{"type": "error", "error": {"type", "message"}}`, with
    /// Anthropic's type for the status (`overloaded_error` for a busy server).
    var anthropicJSON: JSON {
        let kind =
            switch status {
            case 401: "authentication_error"
            case 403: "permission_error"
            case 404: "not_found_error"
            case 413: "request_too_large"
            case 429, 503: "overloaded_error"
            case 400..<500: "invalid_request_error"
            default: "api_error"
            }
        return ["type": "error", "error": ["type": .string(kind), "message": .string(message)]]
    }
}
