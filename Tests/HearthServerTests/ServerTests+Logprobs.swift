import Foundation
import LlamaEngine
import LoopbackHTTP
import Testing

extension ServerTests {
    @Test func completionLogprobsWithEchoCoverPromptAndCompletion() async throws {
        let client = try await client()
        let body = json(["prompt": "The capital of France is", "max_tokens": 4, "temperature": 0, "logprobs": 3, "echo": true])
        let response = try await client.request("POST", "/v1/completions", body: body).json()
        let choice = try #require((response["choices"] as? [[String: Any]])?.first)
        let logprobs = try #require(choice["logprobs"] as? [String: Any])
        let tokens = try #require(logprobs["tokens"] as? [String])
        let values = try #require(logprobs["token_logprobs"] as? [Any])
        let top = try #require(logprobs["top_logprobs"] as? [Any])
        let offsets = try #require(logprobs["text_offset"] as? [Int])
        let usage = try #require(usageCounts(response["usage"]))
        #expect(tokens.count == usage["prompt_tokens"]! + 4)
        #expect(tokens.joined() == choice["text"] as? String)
        #expect(values.first is NSNull && top.first is NSNull)
        #expect(values.dropFirst().allSatisfy { ($0 as? Double ?? 1) <= 0 })
        #expect(top.dropFirst().allSatisfy { ($0 as? [String: Double])?.count ?? 0 >= 1 })
        #expect(offsets == tokens.indices.map { tokens[..<$0].joined().count })
        // Greedy: each generated token is the most likely at its position.
        for (token, alternatives) in zip(tokens.suffix(4), top.suffix(4)) {
            let best = try #require((alternatives as? [String: Double])?.max { $0.value < $1.value }?.key)
            #expect(best == token)
        }
    }

    @Test func echoWithMaxTokensZeroScoresThePrompt() async throws {
        let client = try await client()
        let body = json(["prompt": "One, two, three", "max_tokens": 0, "logprobs": 0, "echo": true])
        let response = try await client.request("POST", "/v1/completions", body: body).json()
        let choice = try #require((response["choices"] as? [[String: Any]])?.first)
        #expect(choice["text"] as? String == "One, two, three")
        #expect(choice["finish_reason"] as? String == "length")
        let values = try #require((choice["logprobs"] as? [String: Any])?["token_logprobs"] as? [Any])
        #expect(values.count == (usageCounts(response["usage"]))?["prompt_tokens"])
    }

    @Test func chatLogprobsStreamedPerChunkConcatenateToTheContent() async throws {
        let client = try await client()
        let request: [String: Any] = [
            "messages": [["role": "user", "content": "Name three colors."]], "max_tokens": 12, "temperature": 0, "logprobs": true,
            "top_logprobs": 2,
        ]
        let full = try await client.request("POST", "/v1/chat/completions", body: json(request)).json()
        let choice = try #require((full["choices"] as? [[String: Any]])?.first)
        let content = try #require((choice["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])
        #expect(content.count == (usageCounts(full["usage"]))?["completion_tokens"])
        #expect(content.compactMap { $0["token"] as? String }.joined() == (choice["message"] as? [String: Any])?["content"] as? String)
        for entry in content {
            let alternatives = try #require(entry["top_logprobs"] as? [[String: Any]])
            let values = alternatives.compactMap { $0["logprob"] as? Double }
            #expect(values.count == 2 && values == values.sorted(by: >))
            #expect((entry["logprob"] as? Double ?? 1) <= 0)
            #expect((entry["bytes"] as? [Int]).map { String(decoding: $0.map(UInt8.init), as: UTF8.self) } == entry["token"] as? String)
        }

        var streamed = request
        streamed["stream"] = true
        let (status, events) = try await readEvents(client, "/v1/chat/completions", streamed)
        #expect(status == 200)
        var text = ""
        var tokens = ""
        for event in events.dropLast() {
            let choice = try #require((try parse(event)["choices"] as? [[String: Any]])?.first)
            text += (choice["delta"] as? [String: Any])?["content"] as? String ?? ""
            let entries = (choice["logprobs"] as? [String: Any])?["content"] as? [[String: Any]] ?? []
            tokens += entries.compactMap { $0["token"] as? String }.joined()
        }
        #expect(tokens == text)
        #expect(text == (choice["message"] as? [String: Any])?["content"] as? String)
    }

    @Test func nChoicesComeFromOnePrefillWithTheirOwnIndex() async throws {
        let client = try await client()
        let before = TestServer.engine.evaluatedPromptTokens
        let body: [String: Any] = ["prompt": "A list of fruits:", "max_tokens": 6, "n": 2, "temperature": 1, "seed": 3]
        let response = try await client.request("POST", "/v1/completions", body: json(body)).json()
        let choices = try #require(response["choices"] as? [[String: Any]])
        #expect(choices.compactMap { $0["index"] as? Int } == [0, 1])
        let usage = try #require(usageCounts(response["usage"]))
        #expect(usage["completion_tokens"] == 12)
        #expect(TestServer.engine.evaluatedPromptTokens - before <= usage["prompt_tokens"]!)

        var chat: [String: Any] = ["messages": [["role": "user", "content": "Say a word."]], "max_tokens": 4, "n": 2, "stream": true]
        let (status, events) = try await readEvents(client, "/v1/chat/completions", chat)
        #expect(status == 200 && events.last == "[DONE]")
        let parsed = try events.dropLast().map(parse)
        let finished = parsed.compactMap { ($0["choices"] as? [[String: Any]])?.first }.filter { $0["finish_reason"] is String }
        #expect(Set(finished.compactMap { $0["index"] as? Int }) == [0, 1])
        let roles = parsed.compactMap { ($0["choices"] as? [[String: Any]])?.first }.filter {
            ($0["delta"] as? [String: Any])?["role"] != nil
        }
        #expect(roles.compactMap { $0["index"] as? Int } == [0, 1])

        chat["n"] = 3
        chat["stream"] = false
        let refused = try await client.request("POST", "/v1/chat/completions", body: json(chat))
        #expect(refused.status == 400)
        #expect(try refused.error()?["param"] as? String == "n")
    }
}
