import Foundation
import LoopbackHTTP
import Testing

extension ServerTests {
    @Test func noPromptOrCompletionTextIsLogged() async throws {
        let marker = "zebra-quartz-\(UInt32.random(in: 0...UInt32.max))"
        let client = try await client()
        _ = try await client.request(
            "POST",
            "/v1/chat/completions",
            body: json(["messages": [["role": "user", "content": "Repeat exactly: \(marker)"]], "max_tokens": 16, "temperature": 0])
        )
        _ = try await client.request("POST", "/v1/completions", body: json(["prompt": marker, "max_tokens": 4]))
        _ = try await readEvents(client, "/v1/completions", ["prompt": marker, "max_tokens": 4, "stream": true])
        _ = try await client.request("POST", "/v1/completions", body: json(["prompt": marker, "max_tokens": "bad"]))
        let logs = TestServer.capturedLogs.text
        #expect(!logs.isEmpty)
        #expect(!logs.contains(marker))
        #expect(!logs.contains("zebra"))
    }
}
