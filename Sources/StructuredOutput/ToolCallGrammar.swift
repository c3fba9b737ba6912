import OrderedJSON

/// GBNF for tool calls in a family's own format, each call's arguments constrained by its
/// tool's parameter schema.
public enum ToolCallGrammar {
    /// Rules for one call of any of `tools` (or several in a row when `parallel`), added to
    /// `builder`; returns the expression for them. Its text starts with one of
    /// ``triggers(for:)``, so it can be switched on lazily when the model opens a call.
    /// - Throws: ``StructuredOutputError`` when a tool's parameters cannot be expressed
    ///   (the keyword and its path, prefixed with the tool's place in `tools`).
    public static func calls(
        _ format: ToolCallFormat,
        tools: [(index: Int, tool: ToolDeclaration)],
        parallel: Bool,
        builder: inout GrammarBuilder
    ) throws(StructuredOutputError) -> String {
        _ = builder.primitive(.space)
        var alternatives: [String] = []
        for (index, tool) in tools {
            alternatives.append(try call(format, tool: tool, index: index, builder: &builder))
        }
        let one = builder.add("tool-call", alternatives.joined(separator: " | "))
        let many = parallel ? "\(one) (space \(one))*" : one
        switch format {
        case .hermes, .qwen3Coder, .glm, .mistralNamed, .gemma, .harmony:
            return many
        case .llama3:
            return "\"<|python_tag|>\"? \(one)"
        case .generic:
            return "( \"```json\" space \(one) space \"```\" | \(one) )"
        case .mistral:
            return "\"[TOOL_CALLS]\" \"[\" space \(one)\(parallel ? " (\",\" space \(one))*" : "") \"]\""
        case .deepseek:
            return "\"<｜tool▁calls▁begin｜>\" \(many) \"<｜tool▁calls▁end｜>\""
        case .kimi:
            return "\"<|tool_calls_section_begin|>\" \(many) \"<|tool_calls_section_end|>\""
        }
    }

    /// What switches the grammar of ``calls(_:tools:parallel:builder:)`` on under `auto`:
    /// words that open a call anywhere in a reply, and patterns (llama.cpp's `^…$` form, the
    /// grammar read from the first group) for the JSON a reply may start with.
    public static func triggers(for format: ToolCallFormat) -> (words: [String], patterns: [String]) {
        switch format {
        case .hermes, .qwen3Coder, .glm: (["<tool_call>"], [])
        case .llama3: (["<|python_tag|>"], [leadingJSON])
        case .generic: ([], leadingJSONPatterns)
        case .mistral, .mistralNamed: (["[TOOL_CALLS]"], [])
        case .deepseek: (["<｜tool▁calls▁begin｜>"], [])
        case .kimi: (["<|tool_calls_section_begin|>"], [])
        case .gemma: (["<|tool_call>"], [])
        case .harmony: (["<|channel|>commentary to=functions."], [])
        }
    }

    /// A reply that starts with `{"name"`.
    static let leadingJSON = #"^\s*(\{\s*"name")[\s\S]*$"#
    /// A reply that starts with `{"name"` bare or in a ```json fence: the generic format.
    public static let leadingJSONPatterns = [leadingJSON, #"^\s*(```json\s*\{\s*"name")[\s\S]*$"#]

    static func call(_ format: ToolCallFormat, tool: ToolDeclaration, index: Int, builder: inout GrammarBuilder) throws(StructuredOutputError)
        -> String
    {
        let name = GrammarBuilder.literal(tool.name)
        let ruleName = "call-\(tool.name)"
        func arguments() throws(StructuredOutputError) -> String {
            do {
                return try JSONSchemaGrammar.rule(for: tool.parameters, name: "\(tool.name)-arguments", builder: &builder)
            } catch {
                throw .invalidTool("tools[\(index)].function.parameters: \(error)")
            }
        }
        func jsonCall(argumentsKey: String) throws(StructuredOutputError) -> String {
            let quotedName = GrammarBuilder.literal(JSON.string(tool.name).serialized)
            return
                "\"{\" space \"\\\"name\\\"\" space \":\" space \(quotedName) space \",\" space \"\\\"\(argumentsKey)\\\"\" space \":\" space \(try arguments()) \"}\""
        }
        switch format {
        case .hermes:
            return builder.add(ruleName, "\"<tool_call>\" space \(try jsonCall(argumentsKey: "arguments")) space \"</tool_call>\"")
        case .generic, .mistral:
            return builder.add(ruleName, try jsonCall(argumentsKey: "arguments"))
        case .llama3:
            return builder.add(ruleName, try jsonCall(argumentsKey: "parameters"))
        case .mistralNamed:
            return builder.add(ruleName, "\"[TOOL_CALLS]\" \(name) \"[ARGS]\" \(try arguments())")
        case .deepseek:
            let arguments = try arguments()
            return builder.add(
                ruleName,
                "\"<｜tool▁call▁begin｜>\" ( \"function<｜tool▁sep｜>\" \(name) \"\\n```json\\n\" \(arguments) \"```\" | \(name) \"<｜tool▁sep｜>\" \(arguments) ) \"<｜tool▁call▁end｜>\""
            )
        case .kimi:
            return builder.add(
                ruleName,
                "\"<|tool_call_begin|>functions.\" \(name) \":\" [0-9]{1,3} \"<|tool_call_argument_begin|>\" \(try arguments()) \"<|tool_call_end|>\""
            )
        case .gemma:
            return builder.add(ruleName, "\"<|tool_call>call:\" \(name) \(try arguments()) \"<tool_call|>\"")
        case .harmony:
            return builder.add(
                ruleName,
                "\"<|channel|>commentary to=functions.\" \(name) \" <|constrain|>json<|message|>\" \(try arguments()) \"<|call|>\""
            )
        case .qwen3Coder, .glm:
            let parameters = try xmlParameters(format, tool: tool, index: index, builder: &builder)
            if format == .qwen3Coder {
                return builder.add(ruleName, "\"<tool_call>\\n<function=\" \(name) \">\\n\" \(parameters) \"</function>\\n</tool_call>\"")
            }
            return builder.add(ruleName, "\"<tool_call>\" \(name) \"\\n\" \(parameters) \"</tool_call>\"")
        }
    }

    /// The parameters of an XML-style call, declared order, required ones always.
    static func xmlParameters(_ format: ToolCallFormat, tool: ToolDeclaration, index: Int, builder: inout GrammarBuilder)
        throws(StructuredOutputError) -> String
    {
        let path = "tools[\(index)].function.parameters"
        var properties: [(String, JSON)] = []
        if case .object(let list)? = tool.parameters["properties"] { properties = list }
        var required: Set<String> = []
        if case .array(let names)? = tool.parameters["required"] { required = Set(names.compactMap(\.string)) }
        var pairs: [(rule: String, required: Bool)] = []
        for (key, schema) in properties {
            let value: String
            if case .string("string")? = schema["type"], Set(schema.objectKeys).isSubset(of: JSONSchemaGrammar.annotations.union(["type"])) {
                value = builder.add("xml-text", #"( [^<] | "<" [^/] )*"#)
            } else if case .array(let values)? = schema["enum"], values.allSatisfy({ $0.string != nil }) {
                value = "(" + values.compactMap(\.string).map(GrammarBuilder.literal).joined(separator: " | ") + ")"
            } else if schema["type"] == .string("string") {
                throw .invalidTool("\(path).properties.\(key): a constrained string cannot be expressed in this model's tool-call format")
            } else {
                do {
                    value = try JSONSchemaGrammar.rule(for: schema, name: "\(tool.name)-\(key)", builder: &builder)
                } catch {
                    throw .invalidTool("\(path).properties.\(key): \(error)")
                }
            }
            let keyText = GrammarBuilder.literal(key)
            let body =
                format == .qwen3Coder
                ? "\"<parameter=\" \(keyText) \">\\n\" \(value) \"\\n</parameter>\\n\""
                : "\"<arg_key>\" \(keyText) \"</arg_key>\\n<arg_value>\" \(value) \"</arg_value>\\n\""
            pairs.append((builder.add("\(tool.name)-\(key)-parameter", body), required.contains(key)))
        }
        return pairs.map { $0.required ? $0.rule : "\($0.rule)?" }.joined(separator: " ")
    }
}

extension JSON {
    var objectKeys: [String] {
        if case .object(let members) = self { return members.map(\.0) }
        return []
    }
}
