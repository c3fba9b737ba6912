import Foundation
import Jinja
import OpenAIAPI
import Prompting
import Testing

@testable import HearthServer

/// A chat body is parsed once; prompt building gets its typed fields and its messages and tools
/// with their key order. No model involved.
@Suite struct ChatRequestMappingTests {
    private func prompt(_ json: String) throws(OpenAIError) -> PromptRequest {
        try PromptRequest(ChatJob(RequestDecoder().decode(ChatCompletionRequest.self, from: Array(json.utf8))))
    }

    @Test func promptFieldsAreTypedAndMessagesKeepTheirOrder() throws {
        let request = try prompt(
            #"{"messages": [{"role": "user", "content": "x", "zeta": 1, "alpha": 2}], "tools": [{"type": "function", "function": {"name": "f", "z": 1, "a": 2}}], "mode": "chat-instruct", "name1": "Ann", "user_name": "ignored", "bot_name": "Bo", "continue_": false, "enable_thinking": false, "chat_template_kwargs": {"custom": [1, 2]}}"#
        )
        #expect(request.mode == .chatInstruct)
        #expect(request.userName == "Ann")
        #expect(request.botName == "Bo")
        #expect(request.messages.first?.json() == #"{"role": "user", "content": "x", "zeta": 1, "alpha": 2}"#)
        #expect(request.tools?.json() == #"[{"type": "function", "function": {"name": "f", "z": 1, "a": 2}}]"#)
        #expect(request.templateVariables["enable_thinking"] == .bool(false))
        #expect(request.templateVariables["custom"]?.json() == "[1, 2]")
    }

    @Test func anUnknownModeOrMistypedFieldIsA400NamingIt() {
        #expect(throws: OpenAIError.invalidValue("mode", "'poetry' is not one of 'instruct', 'chat', 'chat-instruct'.")) {
            try prompt(#"{"messages": [{"role": "user", "content": "x"}], "mode": "poetry"}"#)
        }
        for (field, value) in [("character", "5"), ("continue_", "\"yes\""), ("chat_template_kwargs", "[1]"), ("tools", "{}")] {
            do {
                _ = try prompt(#"{"messages": [{"role": "user", "content": "x"}], "\#(field)": \#(value)}"#)
                Issue.record("\(field) was accepted")
            } catch {
                #expect(error.param == field)
            }
        }
    }

    @Test func anEmptyToolListIsNoTools() throws {
        #expect(try prompt(#"{"messages": [{"role": "user", "content": "x"}], "tools": []}"#).tools == nil)
    }
}
