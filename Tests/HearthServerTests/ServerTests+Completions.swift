import Foundation
import LoopbackHTTP
import Testing

extension ServerTests {
    @Test func listsAndRetrievesTheLoadedModel() async throws {
        let client = try await client()
        let list = try await client.request("GET", "/v1/models")
        #expect(list.status == 200)
        #expect(list.body.hasPrefix(#"{"object":"list","data":[{"id":"\#(Self.model)","object":"model","created":"#))
        let one = try await client.request("GET", "/v1/models/\(Self.model)")
        #expect(try one.json()["id"] as? String == Self.model)
        let missing = try await client.request("GET", "/v1/models/gpt-9")
        #expect(missing.status == 404)
        #expect(try missing.error()?["code"] as? String == "model_not_found")
    }

    @Test func greedyCompletionIsDeterministicWithRealUsage() async throws {
        let client = try await client()
        let body = json(["model": "gpt-3.5-turbo-instruct", "prompt": "def add(a, b):", "max_tokens": 12, "temperature": 0])
        let first = try await client.request("POST", "/v1/completions", body: body).json()
        let second = try await client.request("POST", "/v1/completions", body: body).json()
        let choice = try #require((first["choices"] as? [[String: Any]])?.first)
        #expect((first["id"] as? String)?.hasPrefix("cmpl-") == true)
        #expect(first["object"] as? String == "text_completion")
        #expect(first["model"] as? String == Self.model)
        #expect(choice["finish_reason"] as? String == "length")
        #expect(choice["text"] as? String == (second["choices"] as? [[String: Any]])?.first?["text"] as? String)
        let usage = try #require(usageCounts(first["usage"]))
        #expect(usage["completion_tokens"] == 12)
        let promptTokens = try #require(usage["prompt_tokens"])
        #expect(promptTokens > 3)
        #expect(usage["total_tokens"] == promptTokens + 12)
    }

    @Test func aSeedReproducesASampledCompletion() async throws {
        let client = try await client()
        func sample(_ seed: Int) async throws -> String? {
            let body = json(["prompt": "This is a cake recipe:\n\n1.", "max_tokens": 24, "temperature": 1, "top_p": 0.9, "seed": seed])
            return (try await client.request("POST", "/v1/completions", body: body).json()["choices"] as? [[String: Any]])?.first?["text"]
                as? String
        }
        let first = try await sample(10)
        #expect(first != nil)
        #expect(try await sample(10) == first)
        #expect(try await sample(11) != first)
    }

    @Test func stopStringsAndMaxTokensSetTheFinishReason() async throws {
        let client = try await client()
        let prompt = "Count: 1, 2, 3, 4, 5, 6,"
        let full = try await client.request("POST", "/v1/completions", body: json(["prompt": prompt, "max_tokens": 10, "temperature": 0]))
        let fullText = try #require((try full.json()["choices"] as? [[String: Any]])?.first?["text"] as? String)
        #expect(fullText.contains("8"))
        let stopped = try await client.request(
            "POST",
            "/v1/completions",
            body: json(["prompt": prompt, "max_tokens": 10, "temperature": 0, "stop": [" 8"]])
        )
        let choice = try #require((try stopped.json()["choices"] as? [[String: Any]])?.first)
        #expect(choice["finish_reason"] as? String == "stop")
        let cut = try #require(choice["text"] as? String)
        #expect(!cut.contains("8"))
        #expect(fullText.hasPrefix(cut))
    }

    @Test func echoAndSuffixWrapTheCompletion() async throws {
        let client = try await client()
        let response = try await client.request(
            "POST",
            "/v1/completions",
            body: json(["prompt": "Hello", "max_tokens": 3, "temperature": 0, "echo": true, "suffix": "!!"])
        )
        let text = try #require((try response.json()["choices"] as? [[String: Any]])?.first?["text"] as? String)
        #expect(text.hasPrefix("Hello"))
        #expect(text.hasSuffix("!!"))
    }

    @Test func severalPromptsGiveOneChoiceEach() async throws {
        let client = try await client()
        let response = try await client.request(
            "POST",
            "/v1/completions",
            body: json(["prompt": ["Red, green,", "One, two,"], "max_tokens": 3, "temperature": 0])
        )
        let choices = try #require(try response.json()["choices"] as? [[String: Any]])
        #expect(choices.map { $0["index"] as? Int } == [0, 1])
    }

    @Test func streamedCompletionMatchesTheNonStreamedOneAndEndsWithDone() async throws {
        let client = try await client()
        let request: [String: Any] = ["prompt": "The three primary colors are", "max_tokens": 16, "temperature": 0]
        let whole = try await client.request("POST", "/v1/completions", body: json(request)).json()
        let expected = (whole["choices"] as? [[String: Any]])?.first?["text"] as? String

        var streaming = request
        streaming["stream"] = true
        streaming["stream_options"] = ["include_usage": true]
        let (status, events) = try await readEvents(client, "/v1/completions", streaming)
        #expect(status == 200)
        #expect(events.last == "[DONE]")
        let chunks = try events.dropLast().map(parse)
        #expect(Set(chunks.compactMap { $0["id"] as? String }).count == 1)
        let usageChunk = try #require(chunks.last)
        #expect((usageChunk["choices"] as? [Any])?.isEmpty == true)
        #expect((usageCounts(usageChunk["usage"]))?["completion_tokens"] == 16)
        let choiceChunks = chunks.dropLast()
        #expect(choiceChunks.allSatisfy { $0["usage"] is NSNull })
        let finishReasons = choiceChunks.map { ($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String }
        #expect(finishReasons.last == "length")
        #expect(finishReasons.dropLast().allSatisfy { $0 == nil })
        let text = choiceChunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["text"] as? String }.joined()
        #expect(text == expected)
    }
}
