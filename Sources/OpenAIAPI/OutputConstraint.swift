import OrderedJSON

/// What a request says its output must be, from whichever field it used: OpenAI's
/// `response_format`, llama.cpp's `json_schema`, text-generation-webui's `grammar_string`, or
/// vLLM's `guided_*` fields and `structured_outputs`. At most one may be sent.
public enum OutputConstraint: Sendable, Equatable {
    /// Any one JSON object (`response_format: {"type": "json_object"}`).
    case jsonObject(field: String)
    /// A JSON value valid against `schema`.
    case jsonSchema(JSON, field: String)
    /// A string matching `pattern` in full.
    case regex(String, field: String)
    /// Exactly one of the strings.
    case choice([String], field: String)
    /// A GBNF grammar (root rule `root`).
    case grammar(String, field: String)

    /// The request field the constraint came from, for error messages.
    public var field: String {
        switch self {
        case .jsonObject(let field), .jsonSchema(_, let field), .regex(_, let field), .choice(_, let field), .grammar(_, let field): field
        }
    }

    /// Whether the output is JSON (so a reasoning model's answer after its reasoning is what
    /// the constraint holds, and clients may parse the content).
    public var isJSON: Bool {
        switch self {
        case .jsonObject, .jsonSchema: true
        default: false
        }
    }

    /// Reads every constraint field of a request body; nil when none is set.
    /// - Throws: ``OpenAIError`` naming the field that is malformed, or the second one sent.
    public static func read(from body: JSON) throws(OpenAIError) -> OutputConstraint? {
        var found: [OutputConstraint] = []
        if let format = body["response_format"], !format.isNull {
            if let constraint = try responseFormat(format) { found.append(constraint) }
        }
        if let schema = body["json_schema"], !schema.isNull {
            found.append(.jsonSchema(try schemaValue(schema, field: "json_schema"), field: "json_schema"))
        }
        if let grammar = body["grammar_string"], !grammar.isNull {
            guard case .string(let text) = grammar else { throw .invalidType("grammar_string", expected: "a string") }
            if !text.isEmpty { found.append(.grammar(text, field: "grammar_string")) }
        }
        try guided(body, prefix: "guided_", into: &found)
        if let outputs = body["structured_outputs"], !outputs.isNull {
            guard case .object = outputs else { throw .invalidType("structured_outputs", expected: "an object") }
            try guided(outputs, prefix: "structured_outputs.", into: &found)
        }
        guard found.count <= 1 else {
            throw .invalidValue(
                found[1].field,
                "only one of response_format, json_schema, grammar_string, guided_* and structured_outputs may be set; '\(found[0].field)' is set too."
            )
        }
        return found.first
    }

    static func responseFormat(_ format: JSON) throws(OpenAIError) -> OutputConstraint? {
        guard case .string(let type)? = format["type"] else { throw .missingParameter("response_format.type") }
        switch type {
        case "text": return nil
        case "json_object": return .jsonObject(field: "response_format")
        case "json_schema":
            guard let wrapper = format["json_schema"], case .object = wrapper else { throw .missingParameter("response_format.json_schema") }
            guard case .string? = wrapper["name"] else { throw .missingParameter("response_format.json_schema.name") }
            // OpenAI allows a json_schema without `schema`: any JSON object.
            guard let schema = wrapper["schema"] else { return .jsonObject(field: "response_format.json_schema") }
            return .jsonSchema(try schemaValue(schema, field: "response_format.json_schema.schema"), field: "response_format.json_schema.schema")
        default:
            throw .invalidValue("response_format.type", "'\(type)' is not one of 'text', 'json_object', 'json_schema'.")
        }
    }

    /// The fields ``read(from:)`` looks for, with their schemas (for the OpenAPI document).
    public static let fieldSchemas: [(String, JSON)] = {
        let schema: JSON = [
            "anyOf": [["type": "object"], ["type": "boolean"], ["type": "string"]],
            "description": "a JSON Schema (an object, or its JSON text)",
        ]
        let guided: [(String, JSON)] = [
            ("json", schema), ("regex", ["type": "string"]), ("choice", ["type": "array", "items": ["type": "string"], "minItems": 1]),
            ("grammar", ["type": "string", "description": "a GBNF grammar"]),
        ]
        let format: JSON = [
            "type": "object",
            "properties": [
                "type": ["type": "string", "enum": ["text", "json_object", "json_schema"]],
                "json_schema": [
                    "type": "object",
                    "properties": ["name": ["type": "string"], "schema": schema, "strict": ["type": "boolean"], "description": ["type": "string"]],
                    "required": ["name"],
                ],
            ],
            "required": ["type"],
            "description": "OpenAI's structured output",
        ]
        return [
            ("response_format", format), ("json_schema", schema), ("grammar_string", ["type": "string", "description": "a GBNF grammar"]),
        ] + guided.map { ("guided_" + $0.0, $0.1) } + [("structured_outputs", ["type": "object", "properties": .object(guided)])]
    }()

    /// vLLM's fields: `guided_json`, `guided_regex`, `guided_choice`, `guided_grammar` (or the
    /// same names without prefix inside `structured_outputs`).
    static func guided(_ object: JSON, prefix: String, into found: inout [OutputConstraint]) throws(OpenAIError) {
        let inside = prefix != "guided_"
        let key = { (name: String) in inside ? name : "guided_" + name }
        if let schema = object[key("json")], !schema.isNull {
            found.append(.jsonSchema(try schemaValue(schema, field: prefix + "json"), field: prefix + "json"))
        }
        if let regex = object[key("regex")], !regex.isNull {
            guard case .string(let pattern) = regex else { throw .invalidType(prefix + "regex", expected: "a string") }
            found.append(.regex(pattern, field: prefix + "regex"))
        }
        if let choice = object[key("choice")], !choice.isNull {
            guard case .array(let items) = choice, !items.isEmpty else {
                throw .invalidType(prefix + "choice", expected: "a non-empty array of strings")
            }
            var strings: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw .invalidType(prefix + "choice", expected: "a non-empty array of strings") }
                strings.append(text)
            }
            found.append(.choice(strings, field: prefix + "choice"))
        }
        if let grammar = object[key("grammar")], !grammar.isNull {
            guard case .string(let text) = grammar, !text.isEmpty else { throw .invalidType(prefix + "grammar", expected: "a GBNF grammar") }
            found.append(.grammar(text, field: prefix + "grammar"))
        }
    }

    /// A schema given as an object (or `true`), or as JSON text (as some vLLM clients send it).
    public static func schemaValue(_ value: JSON, field: String) throws(OpenAIError) -> JSON {
        switch value {
        case .object, .bool(true): return value
        case .string(let text):
            guard let parsed = try? JSON(parsing: text), case .object = parsed else {
                throw .invalidType(field, expected: "a JSON Schema object")
            }
            return parsed
        default: throw .invalidType(field, expected: "a JSON Schema object")
        }
    }
}
