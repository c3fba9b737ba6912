import OpenAIAPI
import OrderedJSON

/// OpenAI's Responses request (`POST /v1/responses`), decoded in its own words. With the stored
/// conversation it continues (`previous_response_id`) it maps to the ``ChatJob`` it means, in
/// Swift; refusals name the field as the Responses API spells it (`max_output_tokens`,
/// `input[3].content[0]`, `tools[0].parameters`). The OpenAPI document records its schema from
/// this decoding.
struct ResponsesRequest: Decodable {
    var model: String?
    /// `input` as items: a string is one user message.
    var items: [JSON]
    var previousResponseID: String?
    /// `store` (default true): kept for `previous_response_id` and retrieval.
    var stores: Bool
    var background: Bool
    /// Everything but the conversation: samplers, limits, tools, format, stream.
    private var template: ChatJob

    private enum CodingKeys: String, CodingKey {
        case model, input, instructions, temperature, seed, tools, text, reasoning, stream, store, background, metadata
        case previousResponseID = "previous_response_id"
        case maxOutputTokens = "max_output_tokens"
        case topP = "top_p"
        case parallelToolCalls = "parallel_tool_calls"
        case toolChoice = "tool_choice"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let recorder = decoder as? any SchemaRecording {
            _ = try container.decode(JSON.self, forKey: .input)
            for key in [CodingKeys.model, .instructions, .previousResponseID] { _ = try container.decodeIfPresent(String.self, forKey: key) }
            for key in [CodingKeys.stream, .store, .background, .parallelToolCalls] { _ = try container.decodeIfPresent(Bool.self, forKey: key) }
            _ = try container.decodeIfPresent(Int64.self, forKey: .seed)
            recorder.document(
                ResponsesSchemas.requestFields + [
                    ("max_output_tokens", ["type": "integer", "minimum": 1]), ("temperature", SamplerField.temperature.jsonSchema),
                    ("top_p", SamplerField.topP.jsonSchema),
                ]
            )
            (model, items, previousResponseID, stores, background) = (nil, [], nil, true, false)
            template = ChatJob(messages: [])
            return
        }
        model = try container.decodeIfPresent(String.self, forKey: .model)
        switch try container.decodeIfPresent(JSON.self, forKey: .input) {
        case .string(let text)?: items = [["type": "message", "role": "user", "content": .string(text)]]
        case .array(let list)?: items = list
        case nil, .null?: throw OpenAIError.missingParameter("input")
        default: throw OpenAIError.invalidType("input", expected: "a string or an array of input items")
        }
        previousResponseID = try container.decodeIfPresent(String.self, forKey: .previousResponseID)
        stores = try container.decodeIfPresent(Bool.self, forKey: .store) ?? true
        background = try container.decodeIfPresent(Bool.self, forKey: .background) ?? false
        var job = ChatJob(messages: [])
        job.names = ChatJob.FieldNames(
            messages: "input",
            toolMembers: ["function.parameters": "parameters", "function.name": "name", "function.description": "description"]
        )
        if let instructions = try container.decodeIfPresent(String.self, forKey: .instructions), !instructions.isEmpty {
            job.messages.append(["role": "system", "content": .string(instructions)])
        }
        if let limit = try container.decodeIfPresent(Int.self, forKey: .maxOutputTokens) {
            guard limit >= 1 else {
                throw OpenAIError.invalidValue("max_output_tokens", "integer below minimum value. Expected a value >= 1, but got \(limit) instead.")
            }
            job.maxTokens = limit
        }
        try job.options.sampling.decode(.temperature, from: container, forKey: .temperature)
        try job.options.sampling.decode(.topP, from: container, forKey: .topP)
        job.options.seed = try container.decodeIfPresent(Int64.self, forKey: .seed)
        job.parallelToolCalls = try container.decodeIfPresent(Bool.self, forKey: .parallelToolCalls) ?? true
        if let tools = try container.decodeIfPresent([JSON].self, forKey: .tools), !tools.isEmpty {
            job.tools = .array(try tools.enumerated().map { index, tool throws(OpenAIError) in try Self.function(tool, param: "tools[\(index)]") })
        }
        switch try container.decodeIfPresent(JSON.self, forKey: .toolChoice) {
        case .string(let choice)?: job.toolChoice = .string(choice)
        case .object(let members)?:
            let choice = JSON.object(members)
            guard choice["type"]?.string == "function", let name = choice["name"]?.string else {
                throw OpenAIError.invalidValue("tool_choice", "expected \"auto\", \"none\", \"required\" or {\"type\": \"function\", \"name\": …}.")
            }
            job.toolChoice = ["type": "function", "function": ["name": .string(name)]]
        default: break
        }
        if let format = try container.decodeIfPresent(JSON.self, forKey: .text)?["format"], let type = format["type"]?.string {
            switch type {
            case "text": break
            case "json_object": job.options.constraint = .jsonObject(field: "text.format")
            case "json_schema":
                let schema = try OutputConstraint.schemaValue(format["schema"] ?? [:], field: "text.format.schema")
                job.options.constraint = .jsonSchema(schema, field: "text.format")
            default: throw OpenAIError.invalidValue("text.format.type", "expected 'text', 'json_object' or 'json_schema', but got '\(type)'.")
            }
        }
        if let effort = try container.decodeIfPresent(JSON.self, forKey: .reasoning)?["effort"]?.string {
            job.prompt.templateVariables.append(("enable_thinking", .bool(effort != "none")))
        }
        job.stream = try container.decodeIfPresent(Bool.self, forKey: .stream) ?? false
        _ = try container.decodeIfPresent(JSON.self, forKey: .metadata)
        template = job
    }

    /// The job this request means, continuing `history` (the items of the conversation before
    /// it: earlier inputs and outputs, for `previous_response_id`), its input `items` as stored.
    func job(history: [JSON], items: [JSON]) throws(OpenAIError) -> ChatJob {
        var job = template
        job.messages += try Self.chatMessages(history, param: "previous_response_id")
        job.messages += try Self.chatMessages(items, param: "input")
        return job
    }

    /// A function tool as the template reads it; other tool types are refused.
    static func function(_ tool: JSON, param: String) throws(OpenAIError) -> JSON {
        guard tool["type"]?.string == "function", let name = tool["name"]?.string else {
            throw .invalidValue("\(param).type", "only function tools run here, not '\(tool["type"]?.string ?? "none")'.")
        }
        var function: [(String, JSON)] = [("name", .string(name))]
        if let description = tool["description"]?.string { function.append(("description", .string(description))) }
        function.append(("parameters", tool["parameters"] ?? ["type": "object"]))
        if let strict = tool["strict"], case .bool = strict { function.append(("strict", strict)) }
        return ["type": "function", "function": .object(function)]
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
