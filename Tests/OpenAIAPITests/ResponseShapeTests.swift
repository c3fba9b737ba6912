import Foundation
import Testing

@testable import OpenAIAPI

@Suite struct JSONValueTests {
    @Test func objectsKeepTheirKeyOrder() {
        let value = JSONValue.object([("z", .int(1)), ("a", .null), ("m", .array([.bool(true), .double(0.5)]))])
        #expect(value.serialized == #"{"z":1,"a":null,"m":[true,0.5]}"#)
    }

    @Test func stringsAreEscapedAsJSONRequiresAndParseBack() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{07} slash / emoji 😀 中文"
        let text = JSONValue.string(tricky).serialized
        #expect(text.contains(#"\u0007"#))
        #expect(text.contains("/"))
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) as? String
        #expect(parsed == tricky)
    }

    @Test func nonFiniteNumbersBecomeNull() {
        #expect(JSONValue.double(.nan).serialized == "null")
    }
}

@Suite struct ResponseShapeTests {
    @Test func errorEnvelopeHasExplicitNulls() {
        #expect(OpenAIError.malformedJSON.jsonText.hasSuffix(#""type":"invalid_request_error","param":null,"code":null}}"#))
    }

    @Test func chatChunkFieldsAreInOpenAIOrder() {
        let chunk = ChatCompletionChunk(
            id: "chatcmpl-1",
            created: 7,
            model: "m",
            choices: [ChatChunkChoice(index: 0, role: "assistant", content: "", finishReason: nil)],
            includesUsage: false
        )
        #expect(
            ServerSentEvents.event(chunk)
                == #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"message":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}"#
                + "\n\n"
        )
    }

    @Test func finalChunkHasAnEmptyDeltaAndUsageChunkHasNoChoices() {
        let last = ChatChunkChoice(index: 0, content: nil, finishReason: .length).json.serialized
        #expect(last.contains(#""delta":{}"#))
        #expect(last.contains(#""finish_reason":"length""#))
        let usage = CompletionResponse(id: "c", created: 1, model: "m", choices: [], usage: Usage(promptTokens: 2, completionTokens: 3))
        #expect(usage.jsonText.hasSuffix(#""choices":[],"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}}"#))
    }
}
