import OrderedJSON

/// One function tool of a request's `tools`.
public struct ToolDeclaration: Sendable, Equatable {
    public var name: String
    /// The JSON Schema of the arguments (an empty object schema when the tool declares none).
    public var parameters: JSON
    /// `function.strict`: the arguments must follow the schema exactly, so a keyword the
    /// grammar cannot express is refused even when the call is optional.
    public var strict: Bool

    public init(name: String, parameters: JSON, strict: Bool = false) {
        self.name = name
        self.parameters = parameters
        self.strict = strict
    }

    /// Reads `tools`; every entry must be `{"type": "function", "function": {"name", …}}`.
    /// - Throws: ``StructuredOutputError/invalidTool(_:)`` naming the entry (`tools[2].function.name`).
    public static func list(from tools: JSON) throws(StructuredOutputError) -> [ToolDeclaration] {
        guard case .array(let entries) = tools else { throw .invalidTool("tools: expected an array of tools") }
        var declarations: [ToolDeclaration] = []
        for (index, entry) in entries.enumerated() {
            let path = "tools[\(index)]"
            guard case .object = entry else { throw .invalidTool("\(path): expected an object") }
            guard case .string(let type)? = entry["type"] else { throw .invalidTool("\(path).type: missing") }
            guard type == "function" else { throw .invalidTool("\(path).type: tools of type '\(type)' are not supported; use 'function'") }
            guard let function = entry["function"], case .object = function else { throw .invalidTool("\(path).function: missing") }
            guard case .string(let name)? = function["name"] else { throw .invalidTool("\(path).function.name: missing") }
            guard !name.isEmpty, name.count <= 64, name.unicodeScalars.allSatisfy(Self.allowedInName) else {
                throw .invalidTool("\(path).function.name: '\(name)' must be 1 to 64 letters, digits, '_', '-' or '.'")
            }
            guard !declarations.contains(where: { $0.name == name }) else { throw .invalidTool("\(path).function.name: '\(name)' is declared twice") }
            let parameters = function["parameters"] ?? .object([("type", .string("object")), ("properties", .object([]))])
            guard case .object = parameters else { throw .invalidTool("\(path).function.parameters: expected a JSON Schema object") }
            declarations.append(ToolDeclaration(name: name, parameters: parameters, strict: function["strict"] == .bool(true)))
        }
        return declarations
    }

    static func allowedInName(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-.".unicodeScalars.contains(scalar))
    }

    /// The type a parameter's schema gives (`"string"`, `"integer"`, …), when it gives one.
    func parameterType(_ key: String) -> String? {
        guard case .object(let properties)? = parameters["properties"], let schema = properties.first(where: { $0.0 == key })?.1 else { return nil }
        if case .string(let type)? = schema["type"] { return type }
        return nil
    }
}

/// What the request lets the model do with its tools (`tool_choice`).
public enum ToolChoice: Sendable, Equatable {
    case none
    case auto
    case required
    case function(String)

    /// Reads `tool_choice` (absent: `auto`).
    /// - Throws: ``StructuredOutputError/invalidTool(_:)`` for a malformed value or an unknown name.
    public static func read(_ value: JSON?, tools: [ToolDeclaration]) throws(StructuredOutputError) -> ToolChoice {
        switch value {
        case nil, .null?: return .auto
        case .string("none")?: return .none
        case .string("auto")?: return .auto
        case .string("required")?: return .required
        case .string(let other)?: throw .invalidTool("tool_choice: '\(other)' is not one of 'none', 'auto', 'required' or a function")
        case .object?:
            guard case .string("function")? = value?["type"] else {
                throw .invalidTool("tool_choice.type: only {\"type\": \"function\", \"function\": {\"name\": …}} is supported")
            }
            guard case .string(let name)? = value?["function"]?["name"] else { throw .invalidTool("tool_choice.function.name: missing") }
            guard tools.contains(where: { $0.name == name }) else {
                throw .invalidTool("tool_choice.function.name: '\(name)' is not one of the declared tools")
            }
            return .function(name)
        default: throw .invalidTool("tool_choice: expected a string or an object")
        }
    }
}
