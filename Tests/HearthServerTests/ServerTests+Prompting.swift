import Foundation
import LoopbackHTTP
import Testing

extension ServerTests {
    func message(_ response: [String: Any]) -> [String: Any] {
        ((response["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]) ?? [:]
    }

    /// The seed document's example: instruct mode with a named instruction template.
    @Test func instructModeWithAlpacaAnswersAndShowsItsPrompt() async throws {
        let client = try await client()
        let body: [String: Any] = [
            "messages": [["role": "user", "content": "Hello!"]],
            "mode": "instruct", "instruction_template": "Alpaca", "max_tokens": 12, "temperature": 0,
        ]
        let prompt = try #require(try await client.request("POST", "/v1/internal/chat-prompt", body: json(body)).json()["prompt"] as? String)
        #expect(prompt.hasSuffix("### Instruction:\nHello!\n\n### Response:\n"))
        let response = try await client.request("POST", "/v1/chat/completions", body: json(body))
        #expect(response.status == 200)
        let reply = try #require(message(try response.json())["content"] as? String)
        #expect(!reply.isEmpty)
        #expect(!reply.contains("### Instruction:"))
        // The prompt the endpoint shows is the one generation used: same token count.
        let count = try await client.request("POST", "/v1/internal/token-count", body: json(["text": prompt])).json()["length"] as? Int
        let usage = try #require(usageCounts(try response.json()["usage"]))
        #expect(usage["prompt_tokens"] == count)
    }

    /// The seed document's example: chat mode with the shipped Example character.
    @Test func chatModeWithTheExampleCharacter() async throws {
        let client = try await client()
        let body: [String: Any] = [
            "messages": [["role": "user", "content": "Hello! Who are you?"]], "mode": "chat", "character": "Example",
            "max_tokens": 16, "temperature": 0,
        ]
        let prompt = try #require(try await client.request("POST", "/v1/internal/chat-prompt", body: json(body)).json()["prompt"] as? String)
        #expect(prompt.hasPrefix("Juniper Hale's Persona:"))
        #expect(prompt.hasSuffix("You: Hello! Who are you?\nJuniper Hale:"))
        let response = try await client.request("POST", "/v1/chat/completions", body: json(body))
        #expect(response.status == 200)
        let reply = try #require(message(try response.json())["content"] as? String)
        #expect(!reply.hasPrefix(" ") && !reply.hasPrefix("Juniper Hale:"))
        // The derived stop string "\nYou:" ends the reply before it speaks for the user.
        #expect(!reply.contains("\nYou:"))
    }

    @Test func theModelsOwnTemplateRendersByDefault() async throws {
        let client = try await client()
        let body: [String: Any] = ["messages": [["role": "system", "content": "Be brief."], ["role": "user", "content": "Hi"]]]
        let prompt = try #require(try await client.request("POST", "/v1/internal/chat-prompt", body: json(body)).json()["prompt"] as? String)
        #expect(prompt == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    }

    /// Tools and a tool-call round trip reach the model's own template (Qwen2.5's `<tools>` and
    /// `<tool_call>` blocks), with the client's key order kept.
    @Test func toolsAndToolCallsRenderThroughTheModelsTemplate() async throws {
        let client = try await client()
        let body = #"""
            {"messages": [
                {"role": "user", "content": "Weather in Oslo?"},
                {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                    "function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "7 °C, rain"}],
             "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Current weather.",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
             "max_tokens": 8, "temperature": 0}
            """#
        let prompt = try #require(try await client.request("POST", "/v1/internal/chat-prompt", body: body).json()["prompt"] as? String)
        #expect(prompt.contains(#"<tools>"#))
        #expect(
            prompt.contains(
                #"{"type": "function", "function": {"name": "get_weather", "description": "Current weather.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}"#
            )
        )
        #expect(prompt.contains(#"<tool_call>\#n{"name": "get_weather", "arguments": {"city": "Oslo"}}\#n</tool_call>"#))
        #expect(prompt.contains("<tool_response>\n7 °C, rain\n</tool_response>"))
        #expect(prompt.hasSuffix("<|im_start|>assistant\n"))
        let response = try await client.request("POST", "/v1/chat/completions", body: body)
        #expect(response.status == 200)
    }

    /// The reply continues a `<think>` the prompt opened; a grammar fixes its exact text.
    @Test func reasoningIsSplitFromTheAnswerStreamedOrNot() async throws {
        let client = try await client()
        var body: [String: Any] = [
            "messages": [["role": "user", "content": "What is 2+2?"], ["role": "assistant", "content": "<think>"]],
            "continue_": true, "max_tokens": 40,
            "grammar_string": #"root ::= "Two and two make four.</think>\n\nFour.""#,
        ]
        let answer = message(try await client.request("POST", "/v1/chat/completions", body: json(body)).json())
        #expect(answer["reasoning_content"] as? String == "Two and two make four.")
        #expect(answer["content"] as? String == "Four.")

        body["stream"] = true
        let (_, events) = try await readEvents(client, "/v1/chat/completions", body)
        let deltas = try events.dropLast().map(parse).compactMap { ($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any] }
        let reasoning = deltas.compactMap { $0["reasoning_content"] as? String }
        let content = deltas.compactMap { $0["content"] as? String }
        #expect(reasoning.joined() == "Two and two make four.")
        #expect(content.joined() == "Four.")
        #expect(!(reasoning + content).contains { $0.contains("<") })
    }

    @Test func promptErrorsAre400sNamingTheField() async throws {
        let client = try await client()
        let base: [String: Any] = ["messages": [["role": "user", "content": "Hi"]]]
        func error(_ extra: [String: Any]) async throws -> (Int, [String: Any]) {
            let response = try await client.request("POST", "/v1/chat/completions", body: json(base.merging(extra) { $1 }))
            return (response.status, try response.json()["error"] as? [String: Any] ?? [:])
        }
        var (status, body) = try await error(["mode": "chat", "character": "Nobody"])
        #expect(status == 400 && body["param"] as? String == "character")
        #expect((body["message"] as? String)?.contains("Nobody") == true)
        (status, body) = try await error(["instruction_template": "Missing"])
        #expect(status == 400 && body["param"] as? String == "instruction_template")
        (status, body) = try await error(["instruction_template_str": "{{ raise_exception('Only one user turn, please') }}"])
        #expect(status == 400 && (body["message"] as? String)?.contains("Only one user turn, please") == true)
        (status, body) = try await error(["instruction_template_str": "{% if %}"])
        #expect(status == 400 && (body["message"] as? String)?.contains("line 1") == true)
        (status, body) = try await error(["instruction_template_str": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"])
        #expect(status == 400 && (body["message"] as? String)?.contains("recursed") == true)
        (status, body) = try await error(["mode": "poetry"])
        #expect(status == 400 && body["param"] as? String == "mode")
        try await expectServerStillAnswers()
    }
}
