import Foundation
import LoopbackHTTP
import Testing

extension ServerTests {
    @Test func aPromptLongerThanTheContextIsContextLengthExceeded() async throws {
        let long = String(repeating: "alpha beta gamma delta ", count: 400)
        for (path, body) in [
            ("/v1/completions", json(["prompt": long])),
            ("/v1/chat/completions", json(["messages": [["role": "user", "content": long]], "stream": true])),
        ] {
            let response = try await client().request("POST", path, body: body)
            #expect(response.status == 400)
            #expect(try response.error()?["code"] as? String == "context_length_exceeded")
            #expect((try response.error()?["message"] as? String)?.contains("\(TestServer.contextLength)") == true)
        }
        try await expectServerStillAnswers()
    }
}
