import Foundation
import LoopbackHTTP
import Testing

extension ServerTests {
    private func completion(_ body: [String: Any]) async throws -> (text: String, finishReason: String?) {
        let response = try await client().request("POST", "/v1/completions", body: json(body))
        let choice = try #require((try response.json()["choices"] as? [[String: Any]])?.first, "\(response.status) \(response.body)")
        return (choice["text"] as? String ?? "", choice["finish_reason"] as? String)
    }

    @Test func aGrammarForcesTheExactShape() async throws {
        let answer = try await completion([
            "prompt": "Is water wet? Answer:", "max_tokens": 20, "temperature": 1, "seed": 3,
            "grammar_string": #"root ::= " " ("yes" | "no") "." "#,
        ])
        #expect(answer.text == " yes." || answer.text == " no.")
        #expect(answer.finishReason == "stop")

        let json = try await completion([
            "prompt": "Give a number:", "max_tokens": 30, "temperature": 0,
            "grammar_string": #"root ::= "{\"value\": " [1-9] [0-9]? "}""#,
        ])
        #expect(json.text.wholeMatch(of: /\{"value": [1-9][0-9]?\}/) != nil, "\(json.text)")
    }

    @Test func anInvalidGrammarIsRefusedWithTheParserMessage() async throws {
        for stream in [false, true] {
            let response = try await client().request(
                "POST",
                "/v1/chat/completions",
                body: json(["messages": [["role": "user", "content": "hi"]], "grammar_string": "root ::= answer", "stream": stream])
            )
            #expect(response.status == 400)
            let error = try #require(try response.error())
            #expect(error["param"] as? String == "grammar_string")
            #expect((error["message"] as? String)?.contains("Undefined rule identifier 'answer'") == true)
        }
        #expect(!TestServer.capturedLogs.text.contains("root ::= answer"))
    }

    @Test func logitBiasMinus100AndTokenBansRemoveAToken() async throws {
        let prompt = "The capital of France is"
        let greedy = try await completion(["prompt": prompt, "max_tokens": 1, "temperature": 0]).text
        let encoded = try await client().request("POST", "/v1/internal/encode", body: json(["text": greedy])).json()
        let token = try #require((encoded["tokens"] as? [Int])?.first)
        let biased = try await completion(["prompt": prompt, "max_tokens": 1, "temperature": 0, "logit_bias": ["\(token)": -100]]).text
        let banned = try await completion(["prompt": prompt, "max_tokens": 1, "temperature": 0, "custom_token_bans": "\(token)"]).text
        #expect(biased != greedy)
        #expect(banned == biased)
        let favoured = try await completion(["prompt": prompt, "max_tokens": 1, "temperature": 0, "logit_bias": ["11": 100]]).text
        let comma = try await client().request("POST", "/v1/internal/decode", body: json(["tokens": [11]])).json()["text"] as? String
        #expect(favoured == comma)
    }

    @Test(arguments: [
        (#"{"prompt": "x", "logit_bias": {"11": 150}}"#, "logit_bias"),
        (#"{"prompt": "x", "logit_bias": {"eleven": 1}}"#, "logit_bias"),
        (#"{"prompt": "x", "logit_bias": {"999999999": 1}}"#, "logit_bias"),
        (#"{"prompt": "x", "custom_token_bans": "1, two"}"#, "custom_token_bans"),
        (#"{"prompt": "x", "custom_token_bans": "-4"}"#, "custom_token_bans"),
    ])
    func badBiasesAreRefused(body: String, param: String) async throws {
        let response = try await client().request("POST", "/v1/completions", body: body)
        #expect(response.status == 400)
        #expect(try response.error()?["param"] as? String == param)
    }
}

extension ServerTests {
    @Test func topK1IsGreedy() async throws {
        let prompt = "def fibonacci(n):"
        let greedy = try await completionText(["prompt": prompt, "max_tokens": 16, "temperature": 0])
        let topK1 = try await completionText(["prompt": prompt, "max_tokens": 16, "temperature": 1.5, "top_k": 1, "seed": 9])
        #expect(topK1 == greedy)
    }

    /// Each llama.cpp sampler text-generation-webui exposes runs and is reproducible by seed.
    @Test(
        arguments: [
            ["typical_p": 0.5], ["top_n_sigma": 1.0], ["xtc_probability": 0.5, "xtc_threshold": 0.1],
            ["dynamic_temperature": true, "dynatemp_low": 0.5, "dynatemp_high": 1.5], ["mirostat_mode": 1], ["mirostat_mode": 2],
            ["adaptive_target": 0.5], ["dry_multiplier": 0.8, "dry_sequence_breakers": #""\n", ":""#], ["min_p": 0.1],
            ["temperature_last": true, "sampler_priority": "top_k\ntop_p\ntemperature"], ["repetition_penalty": 1.3],
        ] as [[String: any Sendable]]
    )
    func samplersRunAndReproduceWithASeed(fields: [String: any Sendable]) async throws {
        var body: [String: Any] = ["prompt": "Once upon a time", "max_tokens": 12, "temperature": 1, "seed": 42]
        for (key, value) in fields { body[key] = value }
        let first = try await completionText(body)
        #expect(!first.isEmpty)
        #expect(try await completionText(body) == first)
    }

    @Test func penaltiesAndDRYReduceRepetition() async throws {
        let prompt = "1, 1, 1, 1, 1, 1, 1, 1, 1, 1,"
        func repeats(_ extra: [String: Any]) async throws -> Int {
            var body: [String: Any] = ["prompt": prompt, "max_tokens": 24, "temperature": 0]
            for (key, value) in extra { body[key] = value }
            return try await completionText(body).components(separatedBy: " 1,").count - 1
        }
        let plain = try await repeats([:])
        #expect(plain >= 6)
        #expect(try await repeats(["repetition_penalty": 1.5]) < plain)
        #expect(try await repeats(["dry_multiplier": 2.0, "dry_allowed_length": 1]) < plain)
    }

    @Test(arguments: [
        (#"{"prompt": "x", "typical_p": 2}"#, "typical_p"),
        (#"{"prompt": "x", "mirostat_mode": 3}"#, "mirostat_mode"),
        (#"{"prompt": "x", "sampler_priority": ["top_k", "bogus"]}"#, "sampler_priority"),
        (#"{"prompt": "x", "dry_sequence_breakers": "not json"}"#, "dry_sequence_breakers"),
        (#"{"prompt": "x", "xtc_probability": -1}"#, "xtc_probability"),
    ])
    func badSamplerValuesAreRefused(body: String, param: String) async throws {
        let response = try await client().request("POST", "/v1/completions", body: body)
        #expect(response.status == 400)
        #expect(try response.error()?["param"] as? String == param)
    }

    private func completionText(_ body: [String: Any]) async throws -> String {
        let response = try await client().request("POST", "/v1/completions", body: json(body))
        return try #require((try response.json()["choices"] as? [[String: Any]])?.first?["text"] as? String, "\(response.body)")
    }
}
