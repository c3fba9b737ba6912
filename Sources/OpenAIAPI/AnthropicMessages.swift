import OrderedJSON

/// Anthropic's Messages API (`POST /v1/messages`) read as what it means in OpenAI's chat
/// completions, so that it runs through the same prompt, sampler, tool and reply path.
public enum AnthropicMessages {
    /// The OpenAI chat body a Messages request means: `system` becomes a system message, content
    /// blocks become content parts, `tool_use` blocks become `tool_calls`, `tool_result` blocks
    /// become `tool` messages, `thinking` blocks become `reasoning_content`; `stop_sequences`,
    /// `tools` (`input_schema`), `tool_choice`, `thinking` and `output_config.format` map to
    /// their chat fields.
    /// - Throws: a 400 naming the field (`messages[1].content[0].type`, …).
    public static func chatBody(_ request: JSON) throws(OpenAIError) -> JSON {
        guard case .object = request else { throw .invalidType("body", expected: "a JSON object") }
        var body: [(String, JSON)] = []
        if let model = request["model"] { body.append(("model", model)) }
        guard let maxTokens = request["max_tokens"], !maxTokens.isNull else { throw .missingParameter("max_tokens") }
        body.append(("max_tokens", maxTokens))
        var messages: [JSON] = []
        if let system = request["system"], !system.isNull {
            messages.append(["role": "system", "content": .string(try text(of: system, param: "system"))])
        }
        guard case .array(let turns)? = request["messages"] else {
            throw request["messages"] == nil ? .missingParameter("messages") : .invalidType("messages", expected: "an array")
        }
        for (index, turn) in turns.enumerated() {
            messages += try chatMessages(turn, param: "messages[\(index)]")
        }
        body.append(("messages", .array(messages)))
        for (from, to) in [("stop_sequences", "stop"), ("temperature", "temperature"), ("top_p", "top_p"), ("top_k", "top_k")] {
            if let value = request[from], !value.isNull { body.append((to, value)) }
        }
        if case .array(let tools)? = request["tools"] {
            body.append(
                ("tools", .array(try tools.enumerated().map { index, tool throws(OpenAIError) in try function(tool, param: "tools[\(index)]") }))
            )
        }
        if let choice = request["tool_choice"], !choice.isNull {
            body += try toolChoice(choice)
        }
        if let thinking = request["thinking"]?["type"]?.string {
            body.append(("enable_thinking", .bool(thinking != "disabled")))
        }
        // Structured output (`messages.parse`, `with_structured_output`): enforced like
        // `response_format`, never ignored. The beta's top-level `output_format` has the same shape.
        for param in ["output_config.format", "output_format"] {
            let format = param == "output_format" ? request["output_format"] : request["output_config"]?["format"]
            guard let format, !format.isNull else { continue }
            guard format["type"]?.string == "json_schema" else {
                throw .invalidValue("\(param).type", "expected 'json_schema'.")
            }
            guard let schema = format["schema"], case .object = schema else {
                throw format["schema"] == nil ? .missingParameter("\(param).schema") : .invalidType("\(param).schema", expected: "an object")
            }
            body.append(("response_format", ["type": "json_schema", "json_schema": ["name": "output", "schema": schema, "strict": true]]))
        }
        body.append(("stream", .bool(request["stream"] == .bool(true))))
        return .object(body)
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

    /// `tool_choice` as chat fields: `auto`, `any` (a call is required), `tool` (that one),
    /// `none`; `disable_parallel_tool_use` turns parallel calls off.
    static func toolChoice(_ choice: JSON) throws(OpenAIError) -> [(String, JSON)] {
        var fields: [(String, JSON)] = []
        switch choice["type"]?.string {
        case "auto": fields.append(("tool_choice", "auto"))
        case "any": fields.append(("tool_choice", "required"))
        case "none": fields.append(("tool_choice", "none"))
        case "tool":
            guard let name = choice["name"]?.string else { throw .missingParameter("tool_choice.name") }
            fields.append(("tool_choice", ["type": "function", "function": ["name": .string(name)]]))
        default:
            throw .invalidValue("tool_choice.type", "expected 'auto', 'any', 'tool' or 'none'.")
        }
        if choice["disable_parallel_tool_use"] == .bool(true) { fields.append(("parallel_tool_calls", false)) }
        return fields
    }
}

extension OpenAIError {
    /// The error in Anthropic's envelope, `{"type": "error", "error": {"type", "message"}}`, with
    /// Anthropic's type for the status (`overloaded_error` for a busy server).
    public var anthropicJSON: JSON {
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
