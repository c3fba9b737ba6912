import Foundation
import LoopbackHTTP
import Testing

extension ServerTests {
    @Test func encodeDecodeAndCountAgree() async throws {
        let client = try await client()
        let text = "Hello, wörld! 你好 🙂 <|im_start|>"
        let encoded = try await client.request("POST", "/v1/internal/encode", body: json(["text": text])).json()
        let tokens = try #require(encoded["tokens"] as? [Int])
        #expect(encoded["length"] as? Int == tokens.count)
        #expect(tokens.count > 5)
        let count = try await client.request("POST", "/v1/internal/token-count", body: json(["text": text])).json()
        #expect(count["length"] as? Int == tokens.count)
        let decoded = try await client.request("POST", "/v1/internal/decode", body: json(["tokens": tokens])).json()
        // Special tokens are skipped on the way back, as text-generation-webui does.
        #expect(decoded["text"] as? String == "Hello, wörld! 你好 🙂 ")
    }

    @Test func decodeNamesAnIdOutsideTheVocabulary() async throws {
        let client = try await client()
        let response = try await client.request("POST", "/v1/internal/decode", body: json(["tokens": [1, 999_999_999]]))
        #expect(response.status == 400)
        #expect(try response.error()?["param"] as? String == "tokens[1]")
        let missing = try await client.request("POST", "/v1/internal/encode", body: "{}")
        #expect(try missing.error()?["param"] as? String == "text")
    }

    @Test func stopGenerationEndsAStreamCleanlyWithStop() async throws {
        let client = try await client()
        let events = EventLog()
        let streaming = Task {
            try await client.stream(
                "/v1/completions",
                body: json(["prompt": "Count: 1, 2, 3,", "max_tokens": 2000, "temperature": 0, "stream": true])
            ) { events.append($0) }
        }
        for _ in 0..<500 where events.all.count < 3 { try await Task.sleep(for: .milliseconds(10)) }
        let stop = try await client.request("POST", "/v1/internal/stop-generation", body: "")
        #expect(stop.status == 200)
        #expect(stop.body == "\"OK\"")
        _ = try await streaming.value
        let all = events.all
        #expect(all.last == "[DONE]")
        let last = try parse(all[all.count - 2])
        #expect((last["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "stop")
        #expect(all.count < 500)
        try await expectServerStillAnswers()
    }
}
