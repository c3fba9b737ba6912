import Foundation
import HearthServer
import Hummingbird
import Logging
import LoopbackHTTP
import OpenAIAPI
import Testing

/// `/openapi.json`, `/docs` and `/metrics` on a scripted server.
@Suite struct DocumentRouteTests {
    private static let port = Task<Int, any Error> {
        var configuration = ServerConfiguration()
        configuration.metrics = ServerMetrics()
        configuration.embeddings = EmbeddingModels(directory: "/nonexistent", threads: 1)
        return try await TestServer.start(engine: ScriptedServerTests.engine, configuration: configuration)
    }

    private func client() async throws -> TestHTTPClient { TestHTTPClient(port: try await Self.port.value) }

    /// The document lists exactly the router's routes: none undocumented, none invented.
    @Test func theDocumentListsEveryRoute() async throws {
        var configuration = ServerConfiguration()
        configuration.metrics = ServerMetrics()
        configuration.embeddings = EmbeddingModels(directory: "/nonexistent", threads: 1)
        let model = try ServedModel(path: TestServer.modelPath, engine: ScriptedServerTests.engine)
        let router = try buildRouter(configuration: configuration, models: ModelRegistry(serving: model, logger: Logger(label: "test")))
        // "POST /v1/completions" → "post /v1/completions"
        let routes = Set(
            router.routes.map { route in
                route.description.split(separator: " ", maxSplits: 1).enumerated().map {
                    $0.offset == 0 ? $0.element.lowercased() : String($0.element)
                }.joined(separator: " ")
            }
        )
        let response = try await client().request("GET", "/openapi.json")
        #expect(response.status == 200)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, methods in methods.keys.map { "\($0) \(path)" } })
        #expect(documented == routes)
    }

    @Test func theDocsPageNeedsNothingFromOutside() async throws {
        let response = try await client().request("GET", "/docs")
        #expect(response.status == 200)
        #expect(response.body.contains("openapi.json"))
        #expect(!response.body.contains("http://") && !response.body.contains("https://"))
    }

    @Test func metricsCountRequestsAndTokens() async throws {
        let client = try await client()
        let generated = try await client.request("POST", "/v1/completions", body: #"{"prompt": "1, 2,", "max_tokens": 3}"#)
        #expect(generated.status == 200)
        _ = try await client.request("POST", "/v1/completions", body: #"{"prompt": 1}"#)
        let metrics = try await client.request("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"hearth_http_requests_total{route="/v1/completions",method="POST",status="200"} 1"#))
        #expect(metrics.body.contains(#"hearth_http_requests_total{route="/v1/completions",method="POST",status="400"} 1"#))
        #expect(metrics.body.contains("hearth_generated_tokens_total 3"))
        #expect(metrics.body.contains("hearth_speculative_drafted_tokens_total 2"))
        #expect(metrics.body.contains("hearth_speculative_accepted_tokens_total 1"))
        #expect(metrics.body.contains("hearth_time_to_first_token_seconds_count 1"))
    }
}
