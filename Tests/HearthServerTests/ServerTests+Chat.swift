import Foundation
import LoopbackHTTP
import Testing

extension ServerTests {
    @Test func chatCompletionHasOpenAIShape() async throws {
        let client = try await client()
        let response = try await client.request(
            "POST",
            "/v1/chat/completions",
            body: json([
                "model": "gpt-4o",
                "messages": [
                    ["role": "developer", "content": "You answer with one word."],
                    ["role": "user", "content": [["type": "text", "text": "What color is the sky?"]]],
                ],
                "temperature": 0, "max_tokens": 20,
            ])
        )
        #expect(response.status == 200)
        #expect(response.body.hasPrefix(#"{"id":"chatcmpl-"#))
        let body = try response.json()
        #expect(body["object"] as? String == "chat.completion")
        let choice = try #require((body["choices"] as? [[String: Any]])?.first)
        let message = try #require(choice["message"] as? [String: Any])
        #expect(message["role"] as? String == "assistant")
        #expect((message["content"] as? String)?.isEmpty == false)
        #expect(choice["finish_reason"] as? String == "stop")
        #expect((usageCounts(body["usage"]))?["prompt_tokens"] ?? 0 > 10)
    }

    @Test func streamedChatStartsWithTheRoleAndCarriesMessageBesideDelta() async throws {
        let client = try await client()
        let request: [String: Any] = [
            "messages": [["role": "user", "content": "Name three fruits."]], "temperature": 0, "max_tokens": 24,
        ]
        let whole = try await client.request("POST", "/v1/chat/completions", body: json(request)).json()
        let expected = ((whole["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String

        var streaming = request
        streaming["stream"] = true
        let (_, events) = try await readEvents(client, "/v1/chat/completions", streaming)
        #expect(events.last == "[DONE]")
        let chunks = try events.dropLast().map(parse)
        #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" && $0["usage"] == nil })
        let choices = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }
        #expect(choices.count == chunks.count)
        let first = try #require(choices.first?["delta"] as? [String: Any])
        #expect(first["role"] as? String == "assistant")
        #expect(choices.dropFirst().allSatisfy { ($0["delta"] as? [String: Any])?["role"] == nil })
        #expect((choices.last?["delta"] as? [String: Any])?.isEmpty == true)
        #expect(choices.last?["finish_reason"] as? String != nil)
        let deltas = choices.compactMap { ($0["delta"] as? [String: Any])?["content"] as? String }.joined()
        let messages = choices.compactMap { ($0["message"] as? [String: Any])?["content"] as? String }.joined()
        #expect(deltas == expected)
        #expect(messages == expected)
    }

    @Test func multiByteCharactersSurviveStreaming() async throws {
        let client = try await client()
        let request: [String: Any] = [
            "messages": [["role": "user", "content": "Translate to Chinese and add a smiley emoji: good morning"]],
            "temperature": 0, "max_tokens": 24, "stream": true,
        ]
        let (_, events) = try await readEvents(client, "/v1/chat/completions", request)
        let pieces = try events.dropLast().map(parse).compactMap {
            (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
        }
        let text = pieces.joined()
        #expect(text.unicodeScalars.contains { $0.value >= 0x4E00 })
        #expect(!text.contains("\u{FFFD}"))
    }
}

extension ServerTests {
    /// A history longer than the context loses its oldest turns instead of failing (the original
    /// document's chat examples send the whole history, with no max_tokens, every turn).
    @Test func aHistoryLongerThanTheContextDropsItsOldestTurns() async throws {
        let long = String(repeating: "alpha beta gamma delta ", count: 150)  // ~600 tokens each
        var messages: [[String: String]] = [["role": "system", "content": "You are terse."]]
        for turn in 0..<4 {
            messages.append(["role": "user", "content": "Turn \(turn): \(long)"])
            messages.append(["role": "assistant", "content": long])
        }
        messages.append(["role": "user", "content": "Say OK."])
        let response = try await client().request(
            "POST",
            "/v1/chat/completions",
            body: json(["messages": messages, "max_tokens": 4, "temperature": 0])
        )
        #expect(response.status == 200, "\(response.body)")
        let usage = try #require(usageCounts(try response.json()["usage"]))
        #expect(usage["prompt_tokens"]! + 4 <= TestServer.contextLength)
    }
}
