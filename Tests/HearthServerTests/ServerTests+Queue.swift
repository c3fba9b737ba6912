import Foundation
import HearthServer
import LlamaEngine
import LoopbackHTTP
import Testing

extension ServerTests {
    /// A server with one slot and room for one waiting request: the third concurrent request is
    /// refused with 429, an OpenAI envelope and Retry-After; once the others leave it is served.
    @Test func aFullQueueAnswers429WithRetryAfter() async throws {
        let engine = try LlamaRuntime(
            modelPath: TestServer.modelPath,
            configuration: EngineConfiguration(contextLength: 512, parallel: 1, maxQueue: 1)
        )
        defer { engine.shutdown() }
        let client = TestHTTPClient(port: try await TestServer.start(engine: engine, configuration: ServerConfiguration()))
        let long = json(["prompt": "Count: 1, 2, 3,", "max_tokens": 400, "temperature": 0, "stream": true])
        let holders = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask { try await client.stream("/v1/completions", body: long) { _ in true } }
                }
                try await group.waitForAll()
            }
        }
        defer { holders.cancel() }  // engine.shutdown() (above) ends both streams
        // Wait until one request runs and one waits.
        for _ in 0..<500 where engine.activeGenerations < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(engine.activeGenerations == 2)

        let refused = try await client.request("POST", "/v1/completions", body: json(["prompt": "Hi", "max_tokens": 2]))
        #expect(refused.status == 429)
        #expect(refused.headers["retry-after"] == "1")
        #expect(try refused.error()?["code"] as? String == "rate_limit_exceeded")
    }
}
