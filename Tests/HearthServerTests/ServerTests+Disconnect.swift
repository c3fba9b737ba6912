import Foundation
import LoopbackHTTP
import Testing

extension ServerTests {
    @Test func aClientThatHangsUpMidStreamFreesTheEngine() async throws {
        let client = try await client()
        let request = json(["prompt": "Count forever: 1, 2, 3,", "max_tokens": 3000, "temperature": 0, "stream": true])
        // Both sequence slots are taken by streams whose clients hang up after three events.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    let seen = EventLog()
                    try await client.stream("/v1/completions", body: request) { event in
                        _ = seen.append(event)
                        return seen.all.count < 3
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await TestServer.engineBecomesIdle())
        try await expectServerStillAnswers()
    }

    @Test func aClientThatHangsUpBeforeANonStreamedReplyFreesTheEngine() async throws {
        let client = try await client()
        try await client.sendAndHangUp(
            "POST",
            "/v1/chat/completions",
            body: json(["messages": [["role": "user", "content": "Write a very long story."]], "max_tokens": 3000])
        )
        #expect(try await TestServer.engineBecomesIdle())
        try await expectServerStillAnswers()
    }
}
