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

extension ServerTests {
    /// The original document's two logits examples.
    @Test func logitsGiveTheNextTokenDistribution() async throws {
        let client = try await client()
        let raw = try await client.request(
            "POST",
            "/v1/internal/logits",
            body: json(["prompt": "Who is best, Asuka or Rei? Answer:", "use_samplers": false])
        )
        #expect(raw.status == 200)
        // In body order (a dictionary would lose it): every value follows `":`.
        let rawValues = raw.body.matches(of: /":([0-9.e+-]+)/).compactMap { Double($0.output.1) }
        #expect(try raw.json().count == rawValues.count)
        #expect(rawValues.count == 50)
        #expect(rawValues == rawValues.sorted(by: >))
        #expect(rawValues.allSatisfy { $0 > 0 && $0 <= 1 })
        #expect(rawValues.reduce(0, +) <= 1.0001)
        #expect(raw.body.hasPrefix("{\""))

        let sampled = try await client.request(
            "POST",
            "/v1/internal/logits",
            body: json(["prompt": "Who is best, Asuka or Rei? Answer:", "use_samplers": true, "top_k": 3])
        )
        let values = try sampled.json().values.compactMap { $0 as? Double }
        #expect(values.count <= 3)
        #expect(abs(values.reduce(0, +) - 1) < 0.001)
        // top_k keeps the most likely tokens: the first raw key is among them.
        let firstRaw = String(raw.body.dropFirst(2).prefix { $0 != "\"" })
        #expect(try sampled.json()[firstRaw] != nil)
    }

    @Test func theRawDistributionAgreesWithGreedyGeneration() async throws {
        let client = try await client()
        let prompt = "The capital of France is"
        let greedy =
            (try await client.request("POST", "/v1/completions", body: json(["prompt": prompt, "max_tokens": 1, "temperature": 0]))
            .json()["choices"] as? [[String: Any]])?.first?["text"] as? String
        let raw = try await client.request("POST", "/v1/internal/logits", body: json(["prompt": prompt, "top_logits": 5]))
        #expect(raw.body.hasPrefix("{" + JSONText.quoted(greedy ?? "")))
    }
}

enum JSONText {
    static func quoted(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast().description
    }
}
