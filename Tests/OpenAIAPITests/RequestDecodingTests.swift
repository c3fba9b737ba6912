import Foundation
import Testing

@testable import OpenAIAPI

@Suite struct RequestDecodingTests {
    private func decodeChat(_ text: String) throws(OpenAIError) -> ChatCompletionRequest {
        let request = try RequestDecoder().decode(ChatCompletionRequest.self, from: Data(text.utf8))
        try request.validate()
        return request
    }

    private func error(_ text: String) -> OpenAIError? {
        do {
            _ = try decodeChat(text)
            return nil
        } catch { return error }
    }

    private func error(_ text: String, as: CompletionRequest.Type) -> OpenAIError? {
        do {
            try RequestDecoder().decode(CompletionRequest.self, from: Data(text.utf8)).validate()
            return nil
        } catch { return error }
    }

    @Test func acceptsStringAndTextPartContentAndIgnoresUnknownFields() throws {
        let request = try decodeChat(
            #"{"model":"x","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],"mode":"instruct","stop":"END","max_completion_tokens":9}"#
        )
        #expect(request.messages.map(\.content) == ["s", "ab"])
        #expect(request.options.stop == ["END"])
        #expect(request.maxTokens == 9)
    }

    @Test func namesTheFieldAtFault() {
        #expect(error(#"{"messages":[{"role":"user","content":"x"}],"seed":"s"}"#)?.param == "seed")
        #expect(error(#"{"messages":[{"role":"user","content":[{"type":"image_url"}]}]}"#)?.param == "messages[0].content[0].type")
        #expect(error(#"{"messages":[{"content":"x"}]}"#)?.param == "messages[0].role")
        #expect(error(#"{"messages":[{"role":"user","content":"x"}],"n":0}"#)?.param == "n")
        #expect(error(#"{"messages":[{"role":"user","content":"x"}],"top_logprobs":2}"#)?.param == "top_logprobs")
        #expect(error(#"{"prompt":"x","logprobs":21}"#, as: CompletionRequest.self)?.param == "logprobs")
        #expect(error("not json")?.message.contains("invalid JSON at byte 0") == true)
        #expect(error(#"{"messages":[],"n":1,"n":2}"#)?.message.contains(#"the key "n" appears twice"#) == true)
    }

    @Test func rangeMessagesQuoteTheLimitAndTheValue() {
        let message = error(#"{"messages":[{"role":"user","content":"x"}],"top_p":1.5}"#)?.message
        #expect(message == "Invalid 'top_p': decimal above maximum value. Expected a value <= 1, but got 1.5 instead.")
    }

    @Test func completionPromptMayBeAListAndMaxTokensZeroNeedsEcho() throws {
        let list = try RequestDecoder().decode(CompletionRequest.self, from: Data(#"{"prompt":["a","b"]}"#.utf8))
        #expect(list.prompts == ["a", "b"])
        let zero = try RequestDecoder().decode(CompletionRequest.self, from: Data(#"{"prompt":"a","max_tokens":0}"#.utf8))
        #expect(throws: OpenAIError.self) { try zero.validate() }
    }
}
