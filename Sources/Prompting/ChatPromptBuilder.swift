import Foundation
import Jinja
import Synchronization

/// A prompt ready to generate from.
public struct BuiltPrompt: Sendable, Equatable {
    public var text: String
    /// Stop strings derived from the template's turn separators (text-generation-webui's
    /// `get_stopping_strings`), to add to the request's own.
    public var stopStrings: [String]
    /// The prompt ends with a thinking tag: the reply starts inside its reasoning.
    public var opensReasoning: Bool
    /// Chat modes: names a reply may begin with (`AI:`), removed from a non-streamed reply.
    public var replyNamePrefixes: [String]

    /// The tag that closes the reasoning block the prompt opens (`</think>`), if it opens one.
    public var reasoningCloseTag: String? {
        guard opensReasoning, let last = text.unicodeScalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return nil }
        let trimmed = text[...last]
        return ReasoningSplitter.tags.first { trimmed.hasSuffix($0.open) }?.close
    }
}

/// Builds chat prompts as text-generation-webui does: picks the instruction template, applies
/// the mode, character and names, and renders with the Jinja engine.
///
/// The model's default template is parsed once, at load; a template a request sends is parsed
/// on first use and cached.
public final class ChatPromptBuilder: Sendable {
    public let library: PromptLibrary
    /// Where the default instruction template came from, for logs and `/v1/internal/model/info`.
    public let defaultTemplateOrigin: String
    private let defaultTemplate: Template
    private let bosToken: String
    private let eosToken: String
    private let defaultSource: String
    private let parsed = Mutex<[String: Template]>([:])
    /// Derived stop strings by template source and names: they depend on nothing else a
    /// request can change, and deriving them takes two renders.
    private let stopStrings = Mutex<[String: [String]]>([:])

    /// Chooses the default instruction template: `--chat-template-file`, else a
    /// `config-user.yaml` rule for the model's name, else the model's own (GGUF
    /// `tokenizer.chat_template`), else a `config.yaml` rule, else Alpaca. A default that does
    /// not parse is an error here, at load, not at every request.
    /// - Parameter override: a template chosen when the model was loaded (text-generation-webui's
    ///   `model/load` with `instruction_template`), which wins over every other.
    public init(
        modelTemplate: String?,
        modelName: String,
        bosToken: String,
        eosToken: String,
        library: PromptLibrary,
        override: (source: String, origin: String)? = nil
    ) throws(PromptError) {
        self.library = library
        self.bosToken = bosToken
        self.eosToken = eosToken
        let source: String
        if let override {
            source = override.source
            defaultTemplateOrigin = override.origin
        } else if let file = library.chatTemplateFile {
            source = try PromptLibrary.templateSource(at: file)
            defaultTemplateOrigin = file
        } else if let name = library.configuredTemplateName(forModel: modelName, userOnly: true) {
            source = try library.instructionTemplate(named: name)
            defaultTemplateOrigin = "config-user.yaml: \(name)"
        } else if let modelTemplate, !modelTemplate.isEmpty {
            source = modelTemplate
            defaultTemplateOrigin = "the model's tokenizer.chat_template"
        } else if let name = library.configuredTemplateName(forModel: modelName, userOnly: false) {
            source = try library.instructionTemplate(named: name)
            defaultTemplateOrigin = "config.yaml: \(name)"
        } else {
            source = try library.instructionTemplate(named: DefaultTemplates.fallbackInstructionTemplate)
            defaultTemplateOrigin = DefaultTemplates.fallbackInstructionTemplate
        }
        defaultSource = source
        do {
            defaultTemplate = try Template(source)
        } catch {
            throw .template(error, field: "instruction_template")
        }
    }

    /// Builds the prompt `request` asks for. Every render it takes is held to `limits` (the
    /// templates may be the request's own).
    public func build(_ request: PromptRequest, limits: RenderLimits = .standard) throws(PromptError) -> BuiltPrompt {
        let (instruction, instructionField, instructionSource) = try instructionTemplate(for: request)
        // A message being continued keeps its text whole, thinking tags included.
        var messages = request.messages.enumerated().map { index, message in
            Self.normalized(message, splittingReasoning: !(request.continueLastMessage && index == request.messages.count - 1))
        }
        var leadingSystem: [String] = []
        while let first = messages.first, first["role"]?.string == "system" {
            leadingSystem.append(first["content"]?.string ?? "")
            messages.removeFirst()
        }
        let customSystemMessage = leadingSystem.joined(separator: "\n")
        var partial: String?
        if request.continueLastMessage {
            guard let last = messages.last, last["role"]?.string == "assistant" else {
                throw .invalidField("continue_", "continuing needs the last message to be the assistant's")
            }
            partial = last["content"]?.string ?? ""
        }
        let systemMessages: [Value] = customSystemMessage.isEmpty ? [] : [Self.message("system", customSystemMessage)]

        switch request.mode {
        case .instruct:
            let render = renderer(instruction, field: instructionField, request: request, extra: [:], limits: limits)
            let text = try Self.render(systemMessages + messages, continuing: partial, with: render)
            return BuiltPrompt(
                text: text,
                stopStrings: stopStrings(render, source: instructionSource),
                opensReasoning: Self.endsWithThinkingTag(text),
                replyNamePrefixes: []
            )
        case .chat, .chatInstruct:
            let names = try chatNames(for: request)
            let chatSource = request.chatTemplateSource ?? DefaultTemplates.chat
            let chat = try template(chatSource, field: "chat_template_str", names: (names.user, names.bot))
            let variables: [String: Value] = ["name1": .string(names.user), "name2": .string(names.bot), "user_bio": .string(names.bio)]
            let renderChat = renderer(chat, field: "chat_template_str", request: request, extra: variables, limits: limits)
            let contextMessages: [Value] = names.context.isEmpty && names.bio.isEmpty ? [] : [Self.message("system", names.context)]
            let prefixes = [names.bot + ":", names.user + ":"]
            if request.mode == .chat {
                let text = try Self.render(contextMessages + messages, continuing: partial, with: renderChat)
                return BuiltPrompt(
                    text: text,
                    stopStrings: stopStrings(renderChat, source: chatSource, names: [names.user, names.bot]),
                    opensReasoning: false,
                    replyNamePrefixes: prefixes
                )
            }
            // chat-instruct: the transcript (without a message being continued) becomes the
            // user turn of an instruction.
            let transcript = try renderChat(contextMessages + (partial == nil ? messages : messages.dropLast()), false)
            let command = (request.chatInstructCommand ?? DefaultTemplates.chatInstructCommand)
                .replacingOccurrences(of: "<|character|>", with: names.bot)
                .replacingOccurrences(of: "<|prompt|>", with: transcript)
                .replacingNames(user: names.user, bot: names.bot)
            let render = renderer(instruction, field: instructionField, request: request, extra: [:], limits: limits)
            var text = try render(systemMessages + [Self.message("user", command)], true)
            if let partial { text += partial }
            return BuiltPrompt(
                text: text,
                stopStrings: stopStrings(render, source: instructionSource),
                opensReasoning: Self.endsWithThinkingTag(text),
                replyNamePrefixes: prefixes
            )
        }
    }

    // MARK: Templates

    /// Request `instruction_template_str`, then `instruction_template`, then the default.
    private func instructionTemplate(for request: PromptRequest) throws(PromptError) -> (Template, field: String, source: String) {
        if let source = request.instructionTemplateSource {
            return (try template(source, field: "instruction_template_str"), "instruction_template_str", source)
        }
        if let name = request.instructionTemplate {
            let source = try library.instructionTemplate(named: name)
            return (try template(source, field: "instruction_template"), "instruction_template", source)
        }
        return (defaultTemplate, "messages", defaultSource)
    }

    /// ``derivedStopStrings(_:)``, once per template and names.
    private func stopStrings(_ render: Renderer, source: String, names: [String] = []) -> [String] {
        let key = ([source] + names).joined(separator: "\u{0}")
        if let cached = stopStrings.withLock({ $0[key] }) { return cached }
        let derived = Self.derivedStopStrings(render)
        stopStrings.withLock { cache in
            if cache.count >= 64 { cache.removeAll() }
            cache[key] = derived
        }
        return derived
    }

    /// The parsed template of `source`, cached. With `names`, `{{user}}`, `{{char}}`, `<USER>`
    /// and `<BOT>` in the source are replaced first (chat templates).
    private func template(_ source: String, field: String, names: (user: String, bot: String)? = nil) throws(PromptError) -> Template {
        let key = names.map { source + "\u{0}" + $0.user + "\u{0}" + $0.bot } ?? source
        if let cached = parsed.withLock({ $0[key] }) { return cached }
        do {
            let template = try Template(names.map { source.replacingNames(user: $0.user, bot: $0.bot) } ?? source)
            parsed.withLock { cache in
                if cache.count >= 64 { cache.removeAll() }
                cache[key] = template
            }
            return template
        } catch {
            throw .template(error, field: field)
        }
    }

    typealias Renderer = ([Value], _ addGenerationPrompt: Bool) throws(PromptError) -> String

    /// Renders with Hugging Face's variables: `messages`, `add_generation_prompt`, `tools`
    /// (none when absent), `bos_token`, `eos_token`, and the request's template variables.
    private func renderer(_ template: Template, field: String, request: PromptRequest, extra: [String: Value], limits: RenderLimits) -> Renderer {
        var variables = request.templateVariables.merging(extra) { _, new in new }
        variables["bos_token"] = .string(bosToken)
        variables["eos_token"] = .string(eosToken)
        variables["tools"] = request.tools ?? Value.none
        return { [variables] messages, addGenerationPrompt throws(PromptError) in
            var context = variables
            context["messages"] = .array(messages)
            context["add_generation_prompt"] = .bool(addGenerationPrompt)
            do throws(JinjaError) {
                return try template.render(context, limits: limits)
            } catch {
                throw .template(error, field: field)
            }
        }
    }

    /// Renders for a new reply, or, when continuing, up to where the last message's text
    /// begins, followed by that text (so no end-of-turn closes it).
    private static func render(_ messages: [Value], continuing partial: String?, with render: Renderer) throws(PromptError) -> String {
        guard let partial, var last = messages.last else { return try render(messages, true) }
        let marker = "<<|hearth-continue-\(UUID().uuidString)|>>"
        last = replacingContent(of: last, with: marker)
        let rendered = try render(messages.dropLast() + [last], false)
        guard let range = rendered.range(of: marker) else { return try render(messages.dropLast(), true) + partial }
        return String(rendered[..<range.lowerBound]) + partial
    }

    // MARK: Messages and names

    private struct ChatNames {
        var user: String
        var bot: String
        var context: String
        var bio: String
    }

    /// The character file (default `Assistant`) under the request's own values, which win.
    private func chatNames(for request: PromptRequest) throws(PromptError) -> ChatNames {
        let character = try library.character(named: request.character ?? "Assistant")
        let user = request.userName ?? character.userName ?? "You"
        let bot = request.botName ?? character.name ?? "AI"
        let context = (request.context ?? character.context).replacingNames(user: user, bot: bot)
        return ChatNames(user: user, bot: bot, context: context, bio: (request.userBio ?? "").replacingNames(user: user, bot: bot))
    }

    static func message(_ role: String, _ content: String) -> Value {
        .object(Value.Object([("role", .string(role)), ("content", .string(content))]))
    }

    private static func replacingContent(of message: Value, with content: String) -> Value {
        guard case .object(var object) = message else { return message }
        object["content"] = .string(content)
        return .object(object)
    }

    /// `developer` is OpenAI's newer `system`; text parts are joined into one string; tool-call
    /// arguments sent as JSON text become objects (templates index and `tojson` them); an
    /// assistant's `<think>…</think>` becomes `reasoning_content`.
    static func normalized(_ message: Value, splittingReasoning: Bool = true) -> Value {
        guard case .object(var object) = message else { return message }
        if object["role"]?.string == "developer" { object["role"] = "system" }
        if case .array(let parts) = object["content"] {
            object["content"] = .string(parts.compactMap { $0["text"]?.string }.joined())
        }
        if case .array(let calls) = object["tool_calls"] {
            object["tool_calls"] = .array(calls.map(parsingArguments))
        }
        if splittingReasoning, object["role"]?.string == "assistant", object["reasoning_content"] == nil,
            let content = object["content"]?.string,
            let split = ReasoningSplitter.split(content)
        {
            object["reasoning_content"] = .string(split.reasoning)
            object["content"] = .string(split.content)
        }
        return .object(object)
    }

    private static func parsingArguments(_ call: Value) -> Value {
        guard case .object(var object) = call, case .object(var function) = object["function"],
            let text = function["arguments"]?.string, case .object = (try? Value(jsonText: text)) ?? .none
        else { return call }
        function["arguments"] = try? Value(jsonText: text)
        object["function"] = .object(function)
        return .object(object)
    }

    static func endsWithThinkingTag(_ prompt: String) -> Bool {
        guard let last = prompt.unicodeScalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return false }
        let trimmed = prompt[...last]
        return ReasoningSplitter.tags.contains { trimmed.hasSuffix($0.open) }
    }
}
