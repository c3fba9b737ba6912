import Foundation
import LoopbackHTTP
import Testing

extension ScriptedServerTests {
    static var weatherTool: [String: Any] {
        [
            "type": "function",
            "function": ["name": "get_weather", "parameters": ["type": "object", "properties": ["city": ["type": "string"]]]],
        ]
    }

    /// A reply that is a call comes back as `tool_calls` (content null, `finish_reason`
    /// `tool_calls`); streamed, the call opens with index, id, type, name and empty arguments,
    /// the arguments follow in fragments that concatenate to the non-streamed ones, and no
    /// content is sent.
    @Test func aToolCallIsTheSameStreamedOrNot() async throws {
        let body: [String: Any] = ["messages": [["role": "user", "content": "CALL"]], "tools": [Self.weatherTool]]
        let whole = try await client().request("POST", "/v1/chat/completions", body: json(body)).json()
        let choice = try #require((whole["choices"] as? [[String: Any]])?.first)
        #expect(choice["finish_reason"] as? String == "tool_calls")
        let message = try #require(choice["message"] as? [String: Any])
        #expect(message["content"] is NSNull)
        let call = try #require((message["tool_calls"] as? [[String: Any]])?.first)
        let function = try #require(call["function"] as? [String: Any])
        #expect(function["name"] as? String == "get_weather")
        #expect(function["arguments"] as? String == #"{"city": "Paris"}"#)
        #expect((call["id"] as? String)?.hasPrefix("call_") == true && call["type"] as? String == "function")

        var streamed = body
        streamed["stream"] = true
        let (status, events) = try await readEvents(client(), "/v1/chat/completions", streamed)
        #expect(status == 200)
        let choices = try events.dropLast().map { try parse($0) }.compactMap { ($0["choices"] as? [[String: Any]])?.first }
        let deltas = choices.compactMap { $0["delta"] as? [String: Any] }
        #expect(deltas.compactMap { $0["content"] as? String }.joined().isEmpty)
        let pieces = deltas.compactMap { ($0["tool_calls"] as? [[String: Any]])?.first }
        let first = try #require(pieces.first)
        #expect(first["index"] as? Int == 0 && first["type"] as? String == "function" && first["id"] is String)
        #expect((first["function"] as? [String: Any])?["name"] as? String == "get_weather")
        #expect((first["function"] as? [String: Any])?["arguments"] as? String == "")
        #expect(pieces.dropFirst().allSatisfy { $0["id"] == nil && ($0["function"] as? [String: Any])?["name"] == nil })
        let arguments = pieces.compactMap { ($0["function"] as? [String: Any])?["arguments"] as? String }.joined()
        #expect(arguments == #"{"city": "Paris"}"#)
        #expect(pieces.count > 2)
        #expect(choices.last?["finish_reason"] as? String == "tool_calls")
    }

    /// Without tools the same reply is plain content.
    @Test func withoutToolsACallIsContent() async throws {
        let body: [String: Any] = ["messages": [["role": "user", "content": "CALL"]]]
        let whole = try await client().request("POST", "/v1/chat/completions", body: json(body)).json()
        let message = (whole["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
        #expect((message?["content"] as? String)?.hasPrefix("{\"name\"") == true)
        #expect(message?["tool_calls"] == nil)
    }

    /// What cannot be enforced is refused, naming the field; never answered unconstrained.
    @Test(arguments: [
        (
            #"{"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "string", "format": "email"}}}}"#,
            "response_format.json_schema.schema"
        ),
        (#"{"response_format": {"type": "xml"}}"#, "response_format.type"),
        (#"{"response_format": {"type": "json_object"}, "guided_json": {"type": "object"}}"#, "guided_json"),
        (#"{"guided_regex": "(?=a)b"}"#, "guided_regex"),
        (#"{"guided_choice": []}"#, "guided_choice"),
        (#"{"structured_outputs": {"json": 3}}"#, "structured_outputs.json"),
        (#"{"tool_choice": "required"}"#, "tool_choice"),
        (#"{"tools": [{"type": "code_interpreter"}]}"#, "tools[0].type"),
        (#"{"tools": [{"type": "function", "function": {"name": "a b"}}]}"#, "tools[0].function.name"),
        (
            #"{"tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": {"type": "function", "function": {"name": "g"}}}"#,
            "tool_choice.function.name"
        ),
        (#"{"tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": "sometimes"}"#, "tool_choice"),
        // A keyword the grammar cannot express is refused where a call's shape was promised: a
        // call required, or a strict tool (under auto it is left out of the constraint).
        (
            #"{"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "array", "uniqueItems": true}}}}}], "tool_choice": "required"}"#,
            "tools[0].function.parameters"
        ),
        (
            #"{"tools": [{"type": "function", "function": {"name": "f", "strict": true, "parameters": {"type": "object", "properties": {"a": {"type": "array", "uniqueItems": true}}}}}]}"#,
            "tools[0].function.parameters"
        ),
        (#"{"tools": [{"type": "function", "function": {"name": "f"}}], "grammar_string": "root ::= \"a\""}"#, "grammar_string"),
    ])
    func unenforceableOutputIsRefused(extra: String, param: String) async throws {
        var body = try #require(try JSONSerialization.jsonObject(with: Data(extra.utf8)) as? [String: Any])
        body["messages"] = [["role": "user", "content": "hi"]]
        let response = try await client().request("POST", "/v1/chat/completions", body: json(body))
        #expect(response.status == 400, "\(extra)")
        let error = try #require(response.json()["error"] as? [String: Any])
        #expect(error["param"] as? String == param, "\(error)")
    }

    /// `sgpt --functions` declares tools with `example`, `format: uri` and bounds on numbers;
    /// nothing forces a call, so they are served (the grammar keeps what it can express).
    @Test func anOptionalToolsSchemaBeyondTheGrammarIsServed() async throws {
        let tools: [[String: Any]] = [
            [
                "type": "function",
                "function": [
                    "name": "fetch_page",
                    "parameters": [
                        "type": "object", "required": ["url"],
                        "properties": [
                            "url": ["type": "string", "format": "uri", "example": "https://example.com"],
                            "ratio": ["type": "number", "minimum": 0], "tags": ["type": "array", "uniqueItems": true],
                        ],
                    ],
                ],
            ]
        ]
        let body: [String: Any] = ["messages": [["role": "user", "content": "hi"]], "tools": tools]
        let response = try await client().request("POST", "/v1/chat/completions", body: json(body))
        #expect(response.status == 200, "\(String(describing: try? response.json()))")
    }
}
