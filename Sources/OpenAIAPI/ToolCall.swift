import OrderedJSON

/// A tool call of a chat reply: `{"id", "type": "function", "function": {"name", "arguments"}}`.
public struct ToolCall: JSONRepresentable, Equatable {
    public var id: String
    public var name: String
    /// The arguments as JSON text.
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    public var json: JSON {
        .object([
            ("id", .string(id)), ("type", .string("function")),
            ("function", .object([("name", .string(name)), ("arguments", .string(arguments))])),
        ])
    }
}

/// A streamed piece of a tool call, in OpenAI's shape: the first piece of a call carries its
/// `index`, `id`, `type`, `function.name` and `arguments: ""`; later ones `index` and an
/// `arguments` fragment.
public struct ToolCallDelta: JSONRepresentable, Equatable {
    public var index: Int
    /// Set on a call's first piece.
    public var opening: (id: String, name: String)?
    public var arguments: String

    public init(index: Int, opening: (id: String, name: String)? = nil, arguments: String) {
        self.index = index
        self.opening = opening
        self.arguments = arguments
    }

    public static func == (lhs: ToolCallDelta, rhs: ToolCallDelta) -> Bool {
        lhs.index == rhs.index && lhs.opening?.id == rhs.opening?.id && lhs.opening?.name == rhs.opening?.name && lhs.arguments == rhs.arguments
    }

    public var json: JSON {
        guard let opening else {
            return .object([("index", .int(index)), ("function", .object([("arguments", .string(arguments))]))])
        }
        return .object([
            ("index", .int(index)), ("id", .string(opening.id)), ("type", .string("function")),
            ("function", .object([("name", .string(opening.name)), ("arguments", .string(arguments))])),
        ])
    }
}
