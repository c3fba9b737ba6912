import Foundation
import HearthServer
import LlamaEngine
import LoopbackHTTP
import OpenAIAPI
import Synchronization
import Testing

extension ServerTests {
    @Test func maxTokensSecondPacesTheStream() async throws {
        let times = Mutex<[ContinuousClock.Instant]>([])
        let body: [String: Any] = [
            "prompt": "1, 2, 3,", "max_tokens": 6, "temperature": 0, "ban_eos_token": true, "stream": true, "max_tokens_second": 5,
        ]
        try await client().stream("/v1/completions", body: json(body)) { event in
            if event.contains("\"text\":\"") && !event.contains("\"text\":\"\"") { times.withLock { $0.append(.now) } }
            return true
        }
        let arrivals = times.withLock { $0 }
        #expect(arrivals.count == 6)
        // Five gaps of at least 1/5 s each.
        #expect(arrivals.last! - arrivals.first! >= .milliseconds(950))
    }

    @Test func serverDefaultsApplyOnlyToFieldsARequestLeavesOut() async throws {
        var configuration = ServerConfiguration()
        try configuration.samplerDefaults.set(.topK, .integer(1))  // as `hearth --top-k 1`
        let client = TestHTTPClient(port: try await TestServer.start(engine: TestServer.engine, configuration: configuration))
        func text(_ extra: [String: Any]) async throws -> String? {
            var body: [String: Any] = ["prompt": "Once upon a time", "max_tokens": 12, "temperature": 1.5]
            for (key, value) in extra { body[key] = value }
            return (try await client.request("POST", "/v1/completions", body: json(body)).json()["choices"] as? [[String: Any]])?
                .first?["text"] as? String
        }
        let greedy = try await text(["temperature": 0])
        #expect(try await text(["seed": 1]) == greedy)
        #expect(try await text(["seed": 2]) == greedy)
        #expect(try await text(["seed": 1, "top_k": 0]) != greedy)
    }
}

extension ServerTests {
    @Test func aPresetFillsFieldsTheRequestLeavesOut() async throws {
        let client = try await client()
        func text(_ body: [String: Any]) async throws -> String? {
            (try await client.request("POST", "/v1/completions", body: json(body)).json()["choices"] as? [[String: Any]])?.first?["text"]
                as? String
        }
        let base: [String: Any] = ["prompt": "Once upon a time", "max_tokens": 12]
        let greedy = try await text(base.merging(["temperature": 0]) { $1 })
        // presets/Deterministic.yaml sets temperature 0.
        #expect(try await text(base.merging(["preset": "Deterministic", "seed": 5]) { $1 }) == greedy)
        // A field the request sends wins over the preset.
        let sampled = try await text(base.merging(["preset": "Deterministic", "temperature": 1.5, "seed": 5]) { $1 })
        #expect(sampled != greedy)

        let missing = try await client.request("POST", "/v1/completions", body: json(["prompt": "x", "preset": "Nope"]))
        #expect(missing.status == 400)
        #expect(try missing.error()?["param"] as? String == "preset")
    }
}
