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
