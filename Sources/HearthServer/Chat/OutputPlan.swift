import LlamaEngine
import OpenAIAPI
import OrderedJSON
import StructuredOutput

/// What a request's output must be and how its reply is read: the grammar the engine enforces
/// (from `response_format` and the other constraint fields, and from `tools` with
/// `tool_choice`), and the tools whose calls are parsed out of the reply.
///
/// Fail-closed: whatever cannot be enforced is a 400 naming the field, never a silently
/// unconstrained reply.
struct OutputPlan: Sendable {
    var grammar: Grammar?
    /// Tools whose calls are read from the reply (none with `tool_choice: "none"`).
    var tools: [ToolDeclaration] = []
    var toolFormat: ToolCallFormat = .generic
    var parallelToolCalls = true
    /// The tool-call markup is made of control tokens: the reply must show them.
    var rendersSpecialTokens = false
    /// `tool_choice: "none"`: openers of the model's call markup, banned where they are one token.
    var bannedOpeners: [String] = []

    /// A completion request: its constraint, if any.
    init(completion constraint: OutputConstraint?) throws(OpenAIError) {
        guard let constraint else { return }
        if case .grammar(let text, _) = constraint {
            grammar = Grammar(text)
            return
        }
        var builder = GrammarBuilder()
        let answer = try Self.expression(constraint, builder: &builder)
        grammar = Grammar(builder.grammar(root: answer))
    }

    /// A chat request: constraint and tools. With a reasoning block open in the prompt, the
    /// grammar holds from its closing tag on, so the reasoning stays free.
    /// - Parameters:
    ///   - reasoningClose: the closing tag of a reasoning block the prompt opened.
    ///   - reasoningTags: the reasoning tags of the model's template: a model that may open a
    ///     reasoning block on its own may still do so before a constrained answer.
    init(
        chat job: ChatJob,
        format: ToolCallFormat,
        reasoningClose: String?,
        reasoningTags: (open: String, close: String)? = nil
    ) throws(OpenAIError) {
        var builder = GrammarBuilder()
        let constraint = job.options.constraint
        if case .grammar(let text, let field) = constraint {
            guard job.tools == nil || job.toolChoice == .string("none") else {
                throw .invalidValue(field, "a grammar cannot be combined with tools; use tool_choice 'none' or leave the grammar out.")
            }
            grammar = Grammar(text)
            return
        }
        var root = try constraint.map { constraint throws(OpenAIError) in try Self.expression(constraint, builder: &builder) }
        var triggers: [String] = []
        var triggerPatterns: [String] = []
        if let toolsJSON = job.tools {
            let names = job.names
            let declared = try Self.mapping(names) { () throws(StructuredOutputError) in try ToolDeclaration.list(from: toolsJSON) }
            let choice = try Self.mapping(names) { () throws(StructuredOutputError) in try ToolChoice.read(job.toolChoice, tools: declared) }
            toolFormat = format
            parallelToolCalls = job.parallelToolCalls
            let indexed = Array(declared.enumerated()).map { (index: $0.offset, tool: $0.element) }
            func calls(_ tools: [(index: Int, tool: ToolDeclaration)], parallel: Bool) throws(OpenAIError) -> String {
                try Self.mapping(names) { () throws(StructuredOutputError) in
                    try ToolCallGrammar.calls(format, tools: tools, parallel: parallel, builder: &builder)
                }
            }
            switch choice {
            case .none:
                bannedOpeners = ToolCallGrammar.triggers(for: format).words
            case .auto:
                tools = declared
                // Nothing forces a call: what a non-strict tool's schema says beyond the grammar
                // is left out of its constraint rather than refused.
                let indexed = indexed.map { entry in
                    var tool = entry.tool
                    if !tool.strict { tool.parameters = JSONSchemaGrammar.relaxed(tool.parameters).schema }
                    return (index: entry.index, tool: tool)
                }
                var alternatives = [try calls(indexed, parallel: parallelToolCalls)]
                if format != .generic && format != .llama3 {
                    // Small models write a bare JSON call when they ignore their template.
                    alternatives.append(
                        try Self.mapping(names) { () throws(StructuredOutputError) in
                            try ToolCallGrammar.calls(.generic, tools: indexed, parallel: false, builder: &builder)
                        }
                    )
                }
                if let answer = root {
                    root = (alternatives + [answer]).joined(separator: " | ")
                } else {
                    root = alternatives.joined(separator: " | ")
                    // Bare JSON counts only at the start of a reply: `{"name"` inside an answer is
                    // not a call.
                    (triggers, triggerPatterns) = ToolCallGrammar.triggers(for: format)
                    if format != .generic && format != .llama3 { triggerPatterns = ToolCallGrammar.leadingJSONPatterns }
                }
            case .required:
                tools = declared
                root = try calls(indexed, parallel: parallelToolCalls)
            case .function(let name):
                tools = declared
                root = try calls(indexed.filter { $0.tool.name == name }, parallel: false)
            }
            rendersSpecialTokens = !tools.isEmpty && format.needsSpecialTokens
        } else if let choice = job.toolChoice, choice != .string("none"), !choice.isNull {
            throw .invalidValue(job.names.toolChoice, "\(job.names.toolChoice) needs tools; none were given.")
        }
        guard var root else { return }
        let lazy = !triggers.isEmpty || !triggerPatterns.isEmpty
        if !lazy, let reasoningClose {
            root = "\(GrammarBuilder.literal(reasoningClose)) [ \\t\\n]{0,4} ( \(root) )"
            triggers = [reasoningClose]
        } else if !lazy, let (open, close) = reasoningTags, let thinking = builder.textWithout(close) {
            let block = "\(GrammarBuilder.literal(open)) \(thinking) \(GrammarBuilder.literal(close)) [ \\t\\n]{0,4}"
            root = "( \(block) )? ( \(root) )"
        }
        grammar = Grammar(builder.grammar(root: root), triggers: triggers, triggerPatterns: triggerPatterns)
    }

    /// The grammar expression of a constraint (not a raw grammar, which stands alone).
    static func expression(_ constraint: OutputConstraint, builder: inout GrammarBuilder) throws(OpenAIError) -> String {
        do {
            switch constraint {
            case .jsonObject: return builder.primitive(.object)
            case .jsonSchema(let schema, _): return try JSONSchemaGrammar.rule(for: schema, name: "answer", builder: &builder)
            case .regex(let pattern, _): return try RegexGrammar.rule(for: pattern, name: "answer", insideJSONString: false, builder: &builder)
            case .choice(let choices, let field):
                guard choices.count <= GrammarBuilder.maximumChoices else {
                    throw OpenAIError.invalidValue(field, "lists \(choices.count) choices; at most \(GrammarBuilder.maximumChoices) are supported.")
                }
                return builder.literalChoice(choices, name: "answer")
            case .grammar(_, let field): throw OpenAIError.invalidValue(field, "a grammar cannot be combined here.")
            }
        } catch let error as StructuredOutputError {
            throw .invalidValue(constraint.field, error.description)
        } catch let error as OpenAIError {
            throw error
        } catch {
            throw .internalError
        }
    }

    /// A tool error as a 400 whose `param` is the field its message starts with, in the
    /// client's words (`names`).
    static func mapping<T>(_ names: ChatJob.FieldNames, _ body: () throws(StructuredOutputError) -> T) throws(OpenAIError) -> T {
        do {
            return try body()
        } catch {
            let message = error.description
            guard let colon = message.firstRange(of: ": ") else { throw .invalidValue("tools", message) }
            let param = String(message[..<colon.lowerBound])
            throw .invalidValue(names.spelling(param), String(message[colon.upperBound...]))
        }
    }
}
