import Foundation
import Jinja
import Testing

@testable import Prompting

/// Modes, template priority, characters and stop strings, with the repository's own
/// instruction templates and characters.
@Suite struct ChatPromptBuilderTests {
    static let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let library = PromptLibrary(
        instructionTemplateDirectory: root.appending(path: "instruction-templates").path,
        characterDirectory: root.appending(path: "characters").path,
        modelConfigDirectory: root.appending(path: "model-config").path
    )
    static let chatML = try! library.instructionTemplate(named: "ChatML")

    func builder(modelTemplate: String? = chatML, modelName: String = "test-model", library: PromptLibrary = library) throws -> ChatPromptBuilder {
        try ChatPromptBuilder(modelTemplate: modelTemplate, modelName: modelName, bosToken: "<s>", eosToken: "</s>", library: library)
    }

    /// A request as the server fills it from a chat body (the wire decoding itself is tested in
    /// HearthServerTests): messages and tools as JSON, prompt fields by their wire names.
    func request(_ json: String) throws -> PromptRequest {
        guard case .object(let body) = try Value(jsonText: json), case .array(let messages)? = body["messages"] else {
            throw PromptError.invalidField("messages", "expected an array")
        }
        var request = PromptRequest(messages: messages, tools: body["tools"])
        let texts: [(String, WritableKeyPath<PromptRequest, String?>)] = [
            ("instruction_template", \.instructionTemplate), ("instruction_template_str", \.instructionTemplateSource),
            ("character", \.character), ("name1", \.userName), ("name2", \.botName), ("context", \.context),
            ("chat_template_str", \.chatTemplateSource), ("user_bio", \.userBio), ("greeting", \.greeting),
            ("chat_instruct_command", \.chatInstructCommand),
        ]
        for (key, path) in texts { if case .string(let text)? = body[key] { request[keyPath: path] = text } }
        if case .string(let mode)? = body["mode"], let parsed = ChatMode(rawValue: mode) { request.mode = parsed }
        if case .bool(let flag)? = body["continue_"] { request.continueLastMessage = flag }
        if let flag = body["enable_thinking"] { request.templateVariables["enable_thinking"] = flag }
        if case .object(let kwargs)? = body["chat_template_kwargs"] { for (key, value) in kwargs.pairs { request.templateVariables[key] = value } }
        return request
    }

    @Test func instructModeUsesTheModelTemplate() throws {
        let prompt = try builder().build(
            request(#"{"messages": [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}"#)
        )
        #expect(prompt.text == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        #expect(prompt.stopStrings == ["<|im_end|>"])
        #expect(prompt.replyNamePrefixes.isEmpty)
    }

    @Test func leadingSystemMessagesJoinAndNamedTemplatesWin() throws {
        let body = #"""
            {"messages": [{"role": "system", "content": "One."}, {"role": "system", "content": "Two."}, {"role": "user", "content": "Go"}],
             "instruction_template": "Alpaca"}
            """#
        let prompt = try builder().build(request(body))
        #expect(prompt.text == "One.\nTwo.\n\n### Instruction:\nGo\n\n### Response:\n")
        #expect(Set(prompt.stopStrings) == ["\n\n### Instruction:", "\n\n### Response:"])
        let source =
            #"{"messages": [{"role": "user", "content": "Go"}], "instruction_template": "Alpaca", "instruction_template_str": "[{{ messages[0].content }}]"}"#
        #expect(try builder().build(request(source)).text == "[Go]")
    }

    @Test func defaultTemplatePriority() throws {
        #expect(try builder().defaultTemplateOrigin == "the model's tokenizer.chat_template")
        #expect(try builder(modelTemplate: nil, modelName: "vicuna-13b-v1.1.Q4").defaultTemplateOrigin == "config.yaml: Vicuna-v1.1")
        #expect(try builder(modelTemplate: nil, modelName: "mystery-model").defaultTemplateOrigin == "Alpaca")
        let directory = FileManager.default.temporaryDirectory.appending(path: "hearth-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "test-.*:\n  instruction_template: Mistral\n".write(to: directory.appending(path: "config-user.yaml"), atomically: true, encoding: .utf8)
        var library = Self.library
        library.modelConfigDirectory = directory.path
        #expect(try builder(library: library).defaultTemplateOrigin == "config-user.yaml: Mistral")
        library.chatTemplateFile = directory.appending(path: "custom.jinja").path
        try "{{ messages | length }}".write(toFile: library.chatTemplateFile!, atomically: true, encoding: .utf8)
        let custom = try builder(library: library)
        #expect(try custom.build(request(#"{"messages": [{"role": "user", "content": "x"}]}"#)).text == "1")
    }

    @Test func chatModeWithACharacter() throws {
        let body = #"{"messages": [{"role": "user", "content": "Hello!"}], "mode": "chat", "character": "Example", "name1": "Sam"}"#
        let prompt = try builder().build(request(body))
        #expect(prompt.text.hasPrefix("Juniper Hale's Persona: Juniper is a cheerful"))
        #expect(prompt.text.contains("Sam: My keyboard's spacebar feels mushy."))
        #expect(prompt.text.contains("\nJuniper Hale: *She grins"))
        #expect(prompt.text.hasSuffix("\n\nSam: Hello!\nJuniper Hale:"))
        #expect(Set(prompt.stopStrings) == ["\nSam:", "\nJuniper Hale:"])
        #expect(prompt.replyNamePrefixes == ["Juniper Hale:", "Sam:"])
    }

    @Test func chatModeDefaultsAndOverrides() throws {
        let body =
            #"{"messages": [{"role": "user", "content": "Hi"}], "mode": "chat", "name2": "Bot", "context": "{{char}} helps {{user}}.", "user_bio": "I like tea."}"#
        let prompt = try builder().build(request(body))
        #expect(prompt.text == "Bot helps You.\n\nI like tea.\n\nYou: Hi\nBot:")
    }

    @Test func chatInstructWrapsTheTranscript() throws {
        let body = #"{"messages": [{"role": "user", "content": "Hi"}], "mode": "chat-instruct", "character": "Assistant"}"#
        let prompt = try builder().build(request(body))
        #expect(prompt.text.hasPrefix("<|im_start|>user\nContinue the chat dialogue below. Write a single reply for the character \"AI\".\n\n"))
        #expect(prompt.text.hasSuffix("You: Hi\n<|im_end|>\n<|im_start|>assistant\n"))
    }

    @Test func continueExtendsTheLastAssistantMessage() throws {
        let body = #"{"messages": [{"role": "user", "content": "Count"}, {"role": "assistant", "content": "1, 2,"}], "continue_": true}"#
        #expect(try builder().build(request(body)).text == "<|im_start|>user\nCount<|im_end|>\n<|im_start|>assistant\n1, 2,")
        let chat =
            #"{"messages": [{"role": "user", "content": "Count"}, {"role": "assistant", "content": "1, 2,"}], "continue_": true, "mode": "chat"}"#
        #expect(try builder().build(request(chat)).text.hasSuffix("You: Count\nAI: 1, 2,"))
        let wrong = #"{"messages": [{"role": "user", "content": "Count"}], "continue_": true}"#
        #expect(throws: PromptError.invalidField("continue_", "continuing needs the last message to be the assistant's")) {
            try builder().build(request(wrong))
        }
    }

    @Test func badInputNamesTheField() throws {
        #expect(throws: PromptError.unknownCharacter("Nobody")) {
            try builder().build(request(#"{"messages": [{"role": "user", "content": "x"}], "mode": "chat", "character": "Nobody"}"#))
        }
        #expect(throws: PromptError.unknownInstructionTemplate("../secrets")) {
            try builder().build(request(#"{"messages": [{"role": "user", "content": "x"}], "instruction_template": "../secrets"}"#))
        }
        let raising = #"{"messages": [{"role": "user", "content": "x"}], "instruction_template_str": "{{ raise_exception('no users here') }}"}"#
        #expect(throws: PromptError.template(.raised("no users here"), field: "instruction_template_str")) { try builder().build(request(raising)) }
    }

    @Test func toolsAndToolCallsReachTheTemplate() throws {
        let body = #"""
            {"messages": [{"role": "user", "content": "Weather?"},
                          {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get", "arguments": "{\"city\": \"Oslo\", \"unit\": \"C\"}"}}]}],
             "tools": [{"type": "function", "function": {"name": "get", "parameters": {"type": "object", "properties": {"zeta": {}, "alpha": {}}}}}],
             "instruction_template_str": "{{ tools | tojson }}|{{ messages[1].tool_calls[0].function.arguments.city }}|{{ enable_thinking }}",
             "chat_template_kwargs": {"enable_thinking": false}}
            """#
        let text = try builder().build(request(body)).text
        #expect(
            text
                == #"[{"type": "function", "function": {"name": "get", "parameters": {"type": "object", "properties": {"zeta": {}, "alpha": {}}}}}]|Oslo|False"#
        )
    }

    @Test func legacyInstructionTemplatesAreConverted() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "hearth-legacy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let legacy = """
            user: "USER:"
            bot: "ASSISTANT:"
            turn_template: "<|user|> <|user-message|>\\n<|bot|> <|bot-message|></s>\\n"
            context: "<|system-message|>\\n\\n"
            system_message: "A helpful assistant."
            """
        try legacy.write(to: directory.appending(path: "Old.yaml"), atomically: true, encoding: .utf8)
        var library = Self.library
        library.instructionTemplateDirectory = directory.path
        let prompt = try builder(library: library).build(
            request(
                #"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Bye"}], "instruction_template": "Old"}"#
            )
        )
        #expect(prompt.text == "A helpful assistant.\n\nUSER: Hi\nASSISTANT: Hello</s>\nUSER: Bye\nASSISTANT:")
    }

    @Test func characterFileFormats() throws {
        let pygmalion = ChatCharacter(fields: ["char_name": "Rex", "char_persona": "A dog.", "world_scenario": "A park.", "char_greeting": "Woof!"])
        #expect(pygmalion == ChatCharacter(name: "Rex", context: "Rex's Persona: A dog.\nScenario: A park.\n", greeting: "Woof!"))
        let bracketed = ChatCharacter(fields: ["<|bot|>": "Ada", "<|user|>": "Lin", "context": "Ada is here."])
        #expect(bracketed == ChatCharacter(name: "Ada", userName: "Lin", context: "Ada is here."))
        let directory = FileManager.default.temporaryDirectory.appending(path: "hearth-characters-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try #"{"name": "Json", "context": "From JSON."}"#.write(to: directory.appending(path: "J.json"), atomically: true, encoding: .utf8)
        var library = Self.library
        library.characterDirectory = directory.path
        #expect(try library.character(named: "J") == ChatCharacter(name: "Json", context: "From JSON."))
    }
}
