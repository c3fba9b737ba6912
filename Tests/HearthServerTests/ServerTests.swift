import Foundation
import LoopbackHTTP
import Synchronization
import Testing

/// End-to-end tests: the real server, the real model, real HTTP.
///
/// Serialized because they share one engine: a seeded sample is reproducible only when no other
/// sequence shares its batch.
@Suite(.serialized) struct ServerTests {
    static let model = "qwen2.5-coder-0.5b-instruct-q4_k_m"

    func client() async throws -> TestHTTPClient { try await TestServer.client() }

    /// The server still serves a generation.
    func expectServerStillAnswers() async throws {
        let response = try await client().request(
            "POST",
            "/v1/completions",
            body: json(["prompt": "1, 2, 3,", "max_tokens": 2, "temperature": 0])
        )
        #expect(response.status == 200)
    }
}

/// Reads a whole SSE stream and returns each event's data.
func readEvents(_ client: TestHTTPClient, _ path: String, _ body: [String: Any]) async throws -> (status: Int, events: [String]) {
    let events = EventLog()
    let status = try await client.stream(path, body: json(body)) { events.append($0) }
    return (status, events.all)
}

/// Collects events from the stream reader's thread.
final class EventLog: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ event: String) -> Bool {
        storage.withLock { $0.append(event) }
        return true
    }
    var all: [String] { storage.withLock { $0 } }
}

func parse(_ event: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any] ?? [:]
}
