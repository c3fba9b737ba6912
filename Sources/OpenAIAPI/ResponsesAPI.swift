import OrderedJSON

/// OpenAI's Responses API (`POST /v1/responses`) read as what it means in chat completions, so
/// that it runs through the same prompt, sampler, tool and reply path.
public enum ResponsesAPI {
    /// The request's `input` as items: a string is one user message.
    /// - Throws: a 400 naming `input` when it is neither a string nor a list.
    public static func inputItems(_ request: JSON) throws(OpenAIError) -> [JSON] {
        switch request["input"] {
        case .string(let text)?: return [["type": "message", "role": "user", "content": .string(text)]]
        case .array(let items)?: return items
        case nil, .null?: throw .missingParameter("input")
        default: throw .invalidType("input", expected: "a string or an array of input items")
        }
    }

    /// The chat body a Responses request means, continuing `history` (the items of the
    /// conversation before this request: earlier inputs and outputs, for `previous_response_id`).
    /// - Parameter items: this request's input items (from ``inputItems(_:)``).
    public static func chatBody(_ request: JSON, history: [JSON], items: [JSON]) throws(OpenAIError) -> JSON {
        var messages: [JSON] = []
        if let instructions = request["instructions"]?.string, !instructions.isEmpty {
            messages.append(["role": "system", "content": .string(instructions)])
        }
        messages += try chatMessages(history, param: "previous_response_id")
        messages += try chatMessages(items, param: "input")
        var body: [(String, JSON)] = [("messages", .array(messages))]
        if let model = request["model"]?.string { body.append(("model", .string(model))) }
        if let limit = request["max_output_tokens"], !limit.isNull { body.append(("max_tokens", limit)) }
        for field in ["temperature", "top_p", "parallel_tool_calls", "seed"] {
            if let value = request[field], !value.isNull { body.append((field, value)) }
        }
        if case .array(let tools)? = request["tools"] {
            var converted: [JSON] = []
            for (index, tool) in tools.enumerated() {
                guard tool["type"]?.string == "function", let name = tool["name"]?.string else {
                    let type = tool["type"]?.string ?? "none"
                    throw .invalidValue("tools[\(index)].type", "only function tools run here, not '\(type)'.")
                }
                var function: [(String, JSON)] = [("name", .string(name))]
                if let description = tool["description"]?.string { function.append(("description", .string(description))) }
                function.append(("parameters", tool["parameters"] ?? ["type": "object"]))
                converted.append(["type": "function", "function": .object(function)])
            }
            body.append(("tools", .array(converted)))
        }
        switch request["tool_choice"] {
        case .string(let choice)?: body.append(("tool_choice", .string(choice)))
        case .object?:
            guard request["tool_choice"]?["type"]?.string == "function", let name = request["tool_choice"]?["name"]?.string else {
                throw .invalidValue("tool_choice", "expected \"auto\", \"none\", \"required\" or {\"type\": \"function\", \"name\": …}.")
            }
            body.append(("tool_choice", ["type": "function", "function": ["name": .string(name)]]))
        default: break
        }
        if let format = request["text"]?["format"], let type = format["type"]?.string {
            switch type {
            case "text": break
            case "json_object": body.append(("response_format", ["type": "json_object"]))
            case "json_schema":
                var schema: [(String, JSON)] = [("name", format["name"] ?? "response"), ("schema", format["schema"] ?? [:])]
                if let strict = format["strict"] { schema.append(("strict", strict)) }
                body.append(("response_format", ["type": "json_schema", "json_schema": .object(schema)]))
            default: throw .invalidValue("text.format.type", "expected 'text', 'json_object' or 'json_schema', but got '\(type)'.")
            }
        }
        if let effort = request["reasoning"]?["effort"]?.string {
            body.append(("enable_thinking", .bool(effort != "none")))
        }
        body.append(("stream", .bool(request["stream"] == .bool(true))))
        return .object(body)
    }

    /// Items as chat messages: function calls join the assistant message before them, function
    /// outputs become `tool` messages, reasoning goes to the next assistant message.
    static func chatMessages(_ items: [JSON], param: String) throws(OpenAIError) -> [JSON] {
        var messages: [[(String, JSON)]] = []
        var reasoning = ""
        for (index, item) in items.enumerated() {
            let itemParam = "\(param)[\(index)]"
            let type = item["type"]?.string ?? (item["role"] != nil ? "message" : "")
            switch type {
            case "message":
                guard var role = item["role"]?.string else { throw .missingParameter("\(itemParam).role") }
                guard ["user", "system", "developer", "assistant"].contains(role) else {
                    throw .invalidValue("\(itemParam).role", "expected 'user', 'system', 'developer' or 'assistant', but got '\(role)'.")
                }
                if role == "developer" { role = "system" }
                var message: [(String, JSON)] = [
                    ("role", .string(role)), ("content", .string(try text(of: item["content"], param: "\(itemParam).content"))),
                ]
                if role == "assistant", !reasoning.isEmpty {
                    message.append(("reasoning_content", .string(reasoning)))
                    reasoning = ""
                }
                messages.append(message)
            case "function_call":
                guard let callID = item["call_id"]?.string, let name = item["name"]?.string else {
                    throw .missingParameter("\(itemParam).\(item["call_id"] == nil ? "call_id" : "name")")
                }
                let call: JSON = [
                    "id": .string(callID), "type": "function",
                    "function": ["name": .string(name), "arguments": .string(item["arguments"]?.string ?? "{}")],
                ]
                if let last = messages.last, last.first?.1 == "assistant", let calls = last.first(where: { $0.0 == "tool_calls" })?.1,
                    case .array(let existing) = calls
                {
                    messages[messages.count - 1] = last.filter { $0.0 != "tool_calls" } + [("tool_calls", .array(existing + [call]))]
                } else if let last = messages.last, last.first?.1 == "assistant" {
                    messages[messages.count - 1] = last + [("tool_calls", [call])]
                } else {
                    var message: [(String, JSON)] = [("role", "assistant"), ("content", .null)]
                    if !reasoning.isEmpty { message.append(("reasoning_content", .string(reasoning))) }
                    reasoning = ""
                    messages.append(message + [("tool_calls", [call])])
                }
            case "function_call_output":
                guard let callID = item["call_id"]?.string else { throw .missingParameter("\(itemParam).call_id") }
                messages.append([
                    ("role", "tool"), ("tool_call_id", .string(callID)),
                    ("content", .string(try text(of: item["output"], param: "\(itemParam).output"))),
                ])
            case "reasoning":
                if case .array(let parts)? = item["content"] {
                    for part in parts { reasoning += part["text"]?.string ?? "" }
                }
            default:
                throw .invalidValue("\(itemParam).type", "'\(type)' items are not supported; send messages, function calls and their outputs.")
            }
        }
        return messages.map(JSON.object)
    }

    /// The text of a message's content: a string, or text parts (`input_text`, `output_text`).
    static func text(of content: JSON?, param: String) throws(OpenAIError) -> String {
        switch content {
        case .string(let text)?: return text
        case .array(let parts)?:
            var text = ""
            for (index, part) in parts.enumerated() {
                guard let type = part["type"]?.string, ["input_text", "output_text", "text"].contains(type), let piece = part["text"]?.string else {
                    throw .invalidValue("\(param)[\(index)]", "only text parts are supported (input_text, output_text); this model reads text only.")
                }
                text += piece
            }
            return text
        case nil, .null?: return ""
        default: throw .invalidType(param, expected: "a string or an array of content parts")
        }
    }
}
