import OrderedJSON

/// Ollama's API (`/api/chat`, `/api/generate`) read as what it means in OpenAI's chat
/// completions, so that it runs through the same prompt, sampler, tool and reply path.
public enum OllamaAPI {
    /// The installed model an Ollama name means: `name:latest` is `name` (Ollama implies the
    /// tag); other tags stay part of the name.
    public static func modelName(_ name: String?) -> String? {
        guard let name else { return nil }
        return name.hasSuffix(":latest") ? String(name.dropLast(":latest".count)) : name
    }

    /// The chat body an `/api/chat` request means. Assistant tool calls get ids in order and
    /// each `tool` message answers the oldest call not yet answered (Ollama's messages carry no
    /// ids). Streaming is the default, as in Ollama.
    public static func chatBody(_ request: JSON) throws(OpenAIError) -> JSON {
        guard case .object = request else { throw .invalidType("body", expected: "a JSON object") }
        guard case .array(let turns)? = request["messages"] else {
            throw request["messages"] == nil ? .missingParameter("messages") : .invalidType("messages", expected: "an array")
        }
        var messages: [JSON] = []
        var calls = 0
        var unanswered: [String] = []
        for (index, turn) in turns.enumerated() {
            let param = "messages[\(index)]"
            guard let role = turn["role"]?.string else { throw .missingParameter("\(param).role") }
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
        var body: [(String, JSON)] = [("messages", .array(messages))]
        if let tools = request["tools"], !tools.isNull { body.append(("tools", tools)) }
        return .object(try common(request, into: body))
    }

    /// The chat body an `/api/generate` request means: `system` and `prompt` as two messages
    /// rendered with the model's template. `raw` prompts are refused: `/v1/completions` takes
    /// them.
    public static func generateBody(_ request: JSON) throws(OpenAIError) -> JSON {
        guard case .object = request else { throw .invalidType("body", expected: "a JSON object") }
        if request["raw"] == .bool(true) {
            throw .invalidValue("raw", "raw prompts are served by POST /v1/completions; /api/generate applies the model's template.")
        }
        if let images = request["images"], images != .array([]), !images.isNull {
            throw .invalidValue("images", "this model reads text only.")
        }
        var messages: [JSON] = []
        if let system = request["system"]?.string, !system.isEmpty { messages.append(["role": "system", "content": .string(system)]) }
        messages.append(["role": "user", "content": .string(request["prompt"]?.string ?? "")])
        return .object(try common(request, into: [("messages", .array(messages))]))
    }

    /// `model`, `stream`, `format`, `think` and `options`, shared by both endpoints.
    private static func common(_ request: JSON, into body: [(String, JSON)]) throws(OpenAIError) -> [(String, JSON)] {
        var body = body
        if let model = modelName(request["model"]?.string) { body.append(("model", .string(model))) }
        body.append(("stream", .bool(request["stream"] != .bool(false))))
        switch request["format"] {
        case .string("json")?: body.append(("response_format", ["type": "json_object"]))
        case .object(let schema)?:
            body.append(("response_format", ["type": "json_schema", "json_schema": ["name": "format", "schema": .object(schema)]]))
        case nil, .null?, .string("")?: break
        default: throw .invalidValue("format", "expected \"json\" or a JSON Schema object.")
        }
        switch request["think"] {
        case .bool(let on)?: body.append(("enable_thinking", .bool(on)))
        case .string?: body.append(("enable_thinking", true))
        default: break
        }
        if let options = request["options"], !options.isNull {
            guard case .object(let members) = options else { throw .invalidType("options", expected: "an object") }
            body += try Self.options(members)
        }
        return body
    }

    /// Ollama's `options` as sampler fields. Options of the runner (`num_ctx`, `num_thread`,
    /// `num_gpu`, …) are set per model at load time here, so they are ignored per request.
    static func options(_ members: [(String, JSON)]) throws(OpenAIError) -> [(String, JSON)] {
        let renamed = [
            "num_predict": "max_tokens", "repeat_penalty": "repetition_penalty", "repeat_last_n": "repetition_penalty_range",
            "temperature": "temperature", "top_k": "top_k", "top_p": "top_p", "min_p": "min_p", "typical_p": "typical_p",
            "presence_penalty": "presence_penalty", "frequency_penalty": "frequency_penalty", "seed": "seed", "stop": "stop",
            "mirostat": "mirostat_mode", "mirostat_tau": "mirostat_tau", "mirostat_eta": "mirostat_eta",
        ]
        var fields: [(String, JSON)] = []
        for (key, value) in members {
            guard let field = renamed[key] else { continue }
            // num_predict -1 (until the end) and -2 (fill the context) mean no limit.
            if field == "max_tokens", case .int(let limit) = value, limit < 0 { continue }
            fields.append((field, value))
        }
        return fields
    }

    /// An error in Ollama's envelope, `{"error": "…"}`.
    public static func errorJSON(_ error: OpenAIError) -> JSON { ["error": .string(error.message)] }
}
