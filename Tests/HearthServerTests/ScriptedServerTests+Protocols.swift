import Foundation
import HearthServer
import LoopbackHTTP
import Testing

/// Each protocol refuses in its own words and envelope, and its surface decides how a key is
/// sent and how unknown routes under it are answered.
extension ScriptedServerTests {
    static let userTurn = #"[{"role": "user", "content": "hi"}]"#
    static let uniqueTool = #"{"type": "object", "properties": {"a": {"type": "array", "uniqueItems": true}}}"#

    @Test(
        arguments: [
            ("/v1/messages", #"{"max_tokens": 5, "messages": \#(userTurn), "stop_sequences": ["a", 3]}"#, "stop_sequences[1]"),
            ("/v1/messages", #"{"max_tokens": 0, "messages": \#(userTurn)}"#, "max_tokens"),
            (
                "/v1/messages",
                #"{"max_tokens": 5, "messages": \#(userTurn), "tools": [{"name": "f", "input_schema": \#(uniqueTool)}], "tool_choice": {"type": "any"}}"#,
                "tools[0].input_schema"
            ),
            ("/v1/messages", #"{"max_tokens": 5, "messages": \#(userTurn), "min_p": 2}"#, "min_p"),
            ("/api/chat", #"{"model": "m", "messages": \#(userTurn), "options": {"repeat_penalty": 20}}"#, "options.repeat_penalty"),
            ("/api/generate", #"{"model": "m", "prompt": "hi", "options": {"num_predict": 0}}"#, "options.num_predict"),
            ("/api/generate", #"{"model": "m", "prompt": "hi", "options": {"stop": [1]}}"#, "options.stop[0]"),
            ("/v1/responses", #"{"input": "hi", "max_output_tokens": 0}"#, "max_output_tokens"),
            (
                "/v1/responses",
                #"{"input": "hi", "tools": [{"type": "function", "name": "f", "strict": true, "parameters": \#(uniqueTool)}]}"#,
                "tools[0].parameters"
            ),
            ("/v1/chat/completions", #"{"messages": \#(userTurn), "max_completion_tokens": 0}"#, "max_completion_tokens"),
            ("/v1/engines/m/generate", #"{"prompt": "hi", "length": -1}"#, "length"),
        ] as [(String, String, String)]
    )
    func refusalsNameTheFieldAsTheClientSentIt(path: String, body: String, field: String) async throws {
        let response = try await client().request("POST", path, body: body)
        #expect(response.status == 400, "\(response.body)")
        #expect(response.body.contains("'\(field)'"), "\(response.body)")
        let json = try response.json()
        switch path {
        case "/v1/messages": #expect(json["type"] as? String == "error" && (json["error"] as? [String: Any])?["message"] != nil)
        case _ where path.hasPrefix("/api/"): #expect(json["error"] is String)
        default: #expect((json["error"] as? [String: Any])?["param"] as? String == field)
        }
        try await expectServerStillAnswers()
    }

    /// `x-api-key` is Anthropic's way to send the key, read on its routes only.
    @Test func theKeyHeaderIsTheSurfaces() async throws {
        var configuration = ServerConfiguration()
        configuration.apiKeys = ["k"]
        let client = TestHTTPClient(port: try await TestServer.start(engine: Self.engine, configuration: configuration))
        let messages = #"{"max_tokens": 2, "messages": \#(Self.userTurn)}"#
        #expect(try await client.request("POST", "/v1/messages", body: messages, headers: ["x-api-key": "k"]).status == 200)
        #expect(try await client.request("POST", "/v1/messages", body: messages, headers: ["x-api-key": "no"]).status == 401)
        let chat = #"{"messages": \#(Self.userTurn), "max_tokens": 2}"#
        #expect(try await client.request("POST", "/v1/chat/completions", body: chat, headers: ["x-api-key": "k"]).status == 401)
        #expect(try await client.request("POST", "/v1/chat/completions", body: chat, headers: ["Authorization": "Bearer k"]).status == 200)
    }

    /// A route no surface has is a 404 in the envelope of the surface owning its prefix, whatever
    /// the body's type.
    @Test func unknownRoutesAnswerInTheirPrefixsEnvelope() async throws {
        let ollama = try await client().request("POST", "/api/nothing", body: "{}")
        #expect(ollama.status == 404)
        #expect(try ollama.json()["error"] is String)
        let form = try await client().request(
            "POST",
            "/v1/nothing",
            body: "--b\r\n\r\nx\r\n--b--\r\n",
            headers: ["Content-Type": "multipart/form-data; boundary=b"]
        )
        #expect(form.status == 404)
        #expect((try form.json()["error"] as? [String: Any])?["message"] as? String == "Invalid URL (POST /v1/nothing)")
    }
}
