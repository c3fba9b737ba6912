import Foundation
import LoopbackHTTP
import Testing

extension ServerTests {
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

    @Test func aPromptLongerThanTheContextIsContextLengthExceeded() async throws {
        let long = String(repeating: "alpha beta gamma delta ", count: 400)
        for (path, body) in [
            ("/v1/completions", json(["prompt": long])),
            ("/v1/chat/completions", json(["messages": [["role": "user", "content": long]], "stream": true])),
        ] {
            let response = try await client().request("POST", path, body: body)
            #expect(response.status == 400)
            #expect(try response.error()?["code"] as? String == "context_length_exceeded")
            #expect((try response.error()?["message"] as? String)?.contains("\(TestServer.contextLength)") == true)
        }
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
}

extension ServerTests {
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
