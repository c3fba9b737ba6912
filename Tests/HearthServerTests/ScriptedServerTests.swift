import Foundation
import HearthServer
import LlamaEngine
import LoopbackHTTP
import OpenAIAPI
import Testing

/// The server over real HTTP, in-process, with a scripted engine: routing, validation, error
/// envelopes, SSE framing and the reply path, where the model adds nothing but time.
@Suite struct ScriptedServerTests {
    /// Replies by what the prompt asks for: `REASON` gets a chat-mode reply with a reasoning
    /// block, anything else a plain sentence; each string is one "token".
    static let engine = ScriptedEngine { request in
        if request.prompt.contains("REASON") { return ["AI", ":", " <th", "ink>", "x", "</th", "ink>", "Hi"] }
        if request.prompt.contains("CALL") { return ["{\"na", "me\": \"get_weather\", ", "\"arguments\": {\"ci", "ty\": \"Paris\"}}"] }
        return ["Hello", " there", "."]
    }

    private static let port = Task<Int, any Error> {
        var configuration = ServerConfiguration()
        configuration.maxBodyBytes = TestServer.maxBodyBytes
        return try await TestServer.start(engine: engine, configuration: configuration)
    }

    func client() async throws -> TestHTTPClient { TestHTTPClient(port: try await Self.port.value) }

    /// The server still serves a generation.
    func expectServerStillAnswers() async throws {
        let response = try await client().request("POST", "/v1/completions", body: json(["prompt": "1, 2, 3,", "max_tokens": 2]))
        #expect(response.status == 200)
    }

    /// Every bad request gets its status and an OpenAI envelope naming the field; afterwards the
    /// server still generates.
    @Test(
        arguments: [
            ("/v1/chat/completions", "{\"messages\": [", 400, nil, nil),
            ("/v1/chat/completions", "[1, 2]", 400, nil, nil),
            ("/v1/chat/completions", "{}", 400, "messages", "missing_required_parameter"),
            ("/v1/chat/completions", #"{"messages": "hi"}"#, 400, "messages", "invalid_type"),
            ("/v1/chat/completions", #"{"messages": []}"#, 400, "messages", "invalid_value"),
            ("/v1/chat/completions", #"{"messages": [{"role": "wizard", "content": "x"}]}"#, 400, "messages[0].role", "invalid_value"),
            ("/v1/chat/completions", #"{"messages": [{"role": "user", "content": 5}]}"#, 400, "messages[0].content", "invalid_type"),
            ("/v1/chat/completions", #"{"messages": [{"role": "user"}]}"#, 400, "messages[0].content", "missing_required_parameter"),
            ("/v1/chat/completions", #"{"messages": [{"role": "user", "content": "x"}], "temperature": 2.5}"#, 400, "temperature", "invalid_value"),
            ("/v1/chat/completions", #"{"messages": [{"role": "user", "content": "x"}], "max_tokens": -1}"#, 400, "max_tokens", "invalid_value"),
            ("/v1/chat/completions", #"{"messages": [{"role": "user", "content": "x"}], "top_p": "high"}"#, 400, "top_p", "invalid_type"),
            ("/v1/chat/completions", #"{"messages": [{"role": "user", "content": "x"}], "stream": "yes"}"#, 400, "stream", "invalid_type"),
            ("/v1/completions", #"{"prompt": "x", "max_tokens": -5}"#, 400, "max_tokens", "invalid_value"),
            ("/v1/completions", #"{"prompt": "x", "stop": 3}"#, 400, "stop", "invalid_type"),
            ("/v1/completions", #"{"prompt": 7}"#, 400, "prompt", "invalid_type"),
            ("/v1/completions", #"{"max_tokens": 5}"#, 400, "prompt", "missing_required_parameter"),
            ("/v1/completions", #"{"prompt": "x", "frequency_penalty": -3}"#, 400, "frequency_penalty", "invalid_value"),
        ] as [(String, String, Int, String?, String?)]
    )
    func badRequestsAreRejectedWithAnEnvelope(path: String, body: String, status: Int, param: String?, code: String?) async throws {
        let response = try await client().request("POST", path, body: body)
        #expect(response.status == status)
        #expect(response.headers["content-type"] == "application/json")
        let error = try #require(try response.error())
        #expect(error["type"] as? String == "invalid_request_error")
        #expect((error["message"] as? String)?.isEmpty == false)
        #expect(error["param"] as? String == param)
        #expect(error["code"] as? String == code)
        #expect(Set(error.keys) == ["message", "type", "param", "code"])
        try await expectServerStillAnswers()
    }

    @Test func unknownRoutesAreNotFoundInTheSameEnvelope() async throws {
        let client = try await client()
        for (method, path) in [("POST", "/v1/nothing"), ("GET", "/"), ("DELETE", "/v1/models")] {
            let response = try await client.request(method, path)
            #expect(response.status == 404)
            #expect((try response.error()?["message"] as? String)?.contains(path) == true)
        }
    }

    @Test func anOversizedBodyIsRejectedWith413() async throws {
        let big = json(["prompt": String(repeating: "x", count: TestServer.maxBodyBytes + 1)])
        let response = try await client().request("POST", "/v1/completions", body: big)
        #expect(response.status == 413)
        #expect(try response.error()?["code"] as? String == "request_too_large")
        try await expectServerStillAnswers()
    }

    @Test func browsersMayCallFromAnyOriginAndReadErrors() async throws {
        let client = try await client()
        let preflight = try await client.request(
            "OPTIONS",
            "/v1/chat/completions",
            headers: ["Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"]
        )
        #expect(preflight.status == 200 || preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == "*")
        #expect(preflight.headers["access-control-allow-headers"]?.lowercased().contains("x-stainless-os") == true)
        let failed = try await client.request("POST", "/v1/chat/completions", body: "{}", headers: ["Origin": "http://localhost:3000"])
        #expect(failed.status == 400)
        #expect(failed.headers["access-control-allow-origin"] == "*")
    }
}

extension ScriptedServerTests {
    /// In chat mode a reply `AI: <think>x</think>Hi` is reasoning `x` and content `Hi`, streamed
    /// or not (the non-streamed reply used to keep `<think>` in its content).
    @Test func aChatModeReplyIsSplitTheSameStreamedOrNot() async throws {
        let body: [String: Any] = ["messages": [["role": "user", "content": "REASON please"]], "mode": "chat"]
        let whole = try await client().request("POST", "/v1/chat/completions", body: json(body)).json()
        let message = (whole["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
        #expect(message?["content"] as? String == "Hi")
        #expect(message?["reasoning_content"] as? String == "x")
        var streamed = body
        streamed["stream"] = true
        let (status, events) = try await readEvents(client(), "/v1/chat/completions", streamed)
        #expect(status == 200)
        let deltas = try events.dropLast().map { try parse($0) }.compactMap { ($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any] }
        #expect(deltas.compactMap { $0["content"] as? String }.joined() == "Hi")
        #expect(deltas.compactMap { $0["reasoning_content"] as? String }.joined() == "x")
    }

    /// A streamed chat: the role first, text deltas, a last chunk with the finish reason and an
    /// empty delta, the usage chunk when asked for, then `[DONE]`.
    @Test func aStreamedChatIsFramedAsOpenAIFramesIt() async throws {
        let body: [String: Any] = [
            "messages": [["role": "user", "content": "Hi"]], "stream": true, "stream_options": ["include_usage": true],
        ]
        let (status, events) = try await readEvents(client(), "/v1/chat/completions", body)
        #expect(status == 200)
        #expect(events.last == "[DONE]")
        let chunks = try events.dropLast().map { try parse($0) }
        #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" && $0.keys.contains("usage") })
        let choices = chunks.map { ($0["choices"] as? [[String: Any]]) ?? [] }
        #expect((choices.first?.first?["delta"] as? [String: Any])?["role"] as? String == "assistant")
        let text = choices.dropFirst().compactMap { ($0.first?["delta"] as? [String: Any])?["content"] as? String }.joined()
        #expect(text == "Hello there.")
        let last = try #require(choices.dropLast().last?.first)
        #expect(last["finish_reason"] as? String == "stop")
        #expect((last["delta"] as? [String: Any])?.isEmpty == true)
        #expect(choices.last?.isEmpty == true)
        let usage = try #require(chunks.last?["usage"] as? [String: Any])
        #expect(usage["completion_tokens"] as? Int == 3)
        #expect(Set(chunks.map { $0["id"] as? String }).count == 1)
    }

    /// Stop strings cut the scripted reply as they cut the model's, across pieces; a limit ends
    /// it with `length`.
    @Test func stopStringsAndLimitsSetTheFinishReason() async throws {
        let stopped = try await client().request("POST", "/v1/completions", body: json(["prompt": "x", "stop": ["re."]])).json()
        let choice = (stopped["choices"] as? [[String: Any]])?.first
        #expect(choice?["text"] as? String == "Hello the")
        #expect(choice?["finish_reason"] as? String == "stop")
        let limited = try await client().request("POST", "/v1/completions", body: json(["prompt": "x", "max_tokens": 2])).json()
        #expect((limited["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "length")
    }
}
