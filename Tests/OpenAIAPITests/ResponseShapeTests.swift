import Foundation
import OrderedJSON
import Testing

@testable import OpenAIAPI

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
        #expect(
            usage.jsonText.hasSuffix(
                #""choices":[],"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}"#
            )
        )
    }
}
