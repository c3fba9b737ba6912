import LlamaEngine
import OpenAIAPI
import Prompting
import Testing

@testable import HearthServer

/// The reply path of chat completions without a model: a raw reply, cut into token-like pieces
/// in many ways, goes through the engine's stop filter and then ``ChatReplies``, exactly as in
/// the server. Whatever the pieces, the streamed deltas must concatenate to the same fields, and
/// those must be the non-streamed response's fields (the fold of the same deltas).
@Suite struct ReplyPathTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var raw: String
        var prefixes: [String] = []
        var insideReasoning = false
        var stops: [String] = []
        var reasoning: String?
        var content: String
        var testDescription: String { raw.debugDescription }
    }

    static let corpus: [Case] = [
        Case(raw: "Hello there.", content: "Hello there."),
        // chat mode: a leading name goes, also in front of a reasoning block (this failed when
        // only the streamed path removed the name first).
        Case(raw: "AI: <think>x</think>Hi", prefixes: ["AI:", "You:"], reasoning: "x", content: "Hi"),
        Case(raw: "  AI: Hello", prefixes: ["AI:", "You:"], content: "Hello"),
        Case(raw: "<think>\nplan\n</think>\n\nAI: Done", prefixes: ["AI:"], reasoning: "plan", content: "Done"),
        Case(raw: "AIs are fun", prefixes: ["AI:"], content: "AIs are fun"),
        // instruct mode with thinking tags of several families
        Case(raw: "<think>\nstep one\n  </think>\n\nThe answer.", reasoning: "step one", content: "The answer."),
        Case(raw: "[THINK]draft[/THINK]Answer", reasoning: "draft", content: "Answer"),
        Case(raw: "<seed:think>hm</seed:think>ok", reasoning: "hm", content: "ok"),
        Case(raw: "<|channel>thought\nplan\n<channel|>Done", reasoning: "plan", content: "Done"),
        Case(raw: "still thinking</think> done", insideReasoning: true, reasoning: "still thinking", content: "done"),
        Case(raw: "<think>unfinished  ", reasoning: "unfinished", content: ""),
        Case(raw: "Mentioning <think> is content", content: "Mentioning <think> is content"),
        // stop strings, cut across pieces
        Case(raw: "Sure.<|im_end|>ignored", stops: ["<|im_end|>"], content: "Sure."),
        Case(raw: "Answer\nYou: next turn", prefixes: ["AI:", "You:"], stops: ["\nYou:"], content: "Answer"),
        Case(raw: "<think>a</think>b<|im_end|>", stops: ["<|im_end|>"], reasoning: "a", content: "b"),
        // multibyte text
        Case(raw: "<think>ünïcødé 🤔</think>日本語のテキスト ✓", reasoning: "ünïcødé 🤔", content: "日本語のテキスト ✓"),
        Case(raw: "AI: 🙂 fine", prefixes: ["AI:"], content: "🙂 fine"),
    ]

    /// The raw reply cut into pieces: one character each, every split in two, and a seeded
    /// random cutting.
    static func cuttings(of text: String) -> [[String]] {
        let characters = text.map(String.init)
        var result = [[text], characters]
        for split in 1..<max(1, characters.count) {
            result.append([characters[..<split].joined(), characters[split...].joined()])
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var pieces: [String] = []
        var index = 0
        while index < characters.count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = Int(state >> 61) + 1
            pieces.append(characters[index..<min(characters.count, index + length)].joined())
            index += length
        }
        result.append(pieces)
        return result
    }

    /// What the engine would send for these pieces: stop-filtered text events, then a summary.
    static func events(_ pieces: [String], stops: [String]) -> AsyncThrowingStream<GenerationEvent, any Error> {
        var filter = StopStringFilter(stops: stops)
        var events: [GenerationEvent] = []
        var stopped = false
        for piece in pieces where !stopped {
            let output = filter.append(piece)
            if !output.text.isEmpty { events.append(.text(output.text)) }
            stopped = output.stopped
        }
        let rest = filter.flush()
        if !rest.isEmpty { events.append(.text(rest)) }
        events.append(.finished(GenerationSummary(reason: .stop, promptTokens: 3, completionTokens: pieces.count)))
        return AsyncThrowingStream { continuation in
            for event in events { continuation.yield(event) }
            continuation.finish()
        }
    }

    @Test(arguments: corpus)
    func streamedAndWholeRepliesAgreeWhateverTheCutting(_ example: Case) async throws {
        for pieces in Self.cuttings(of: example.raw) {
            let replies = ChatReplies(
                streams: GenerationStreams([Self.events(pieces, stops: example.stops)]),
                namePrefixes: example.prefixes,
                insideReasoning: example.insideReasoning,
                reportsLogprobs: false
            )
            var streamed = (reasoning: "", content: "")
            var fold = ChatReplyFold()
            _ = try await replies.forEachDelta { delta in
                streamed.reasoning += delta.reasoning ?? ""
                streamed.content += delta.content ?? ""
                fold.add(delta)
            }
            let choice = fold.choice(index: 0, reportsLogprobs: false)
            #expect(streamed.content == example.content, "\(pieces)")
            #expect(streamed.reasoning == (example.reasoning ?? ""), "\(pieces)")
            #expect(choice.content == example.content)
            #expect(choice.reasoningContent == example.reasoning)
            #expect(choice.finishReason == .stop)
        }
    }

    @Test(arguments: corpus)
    func theWholeReplyPathIsTheFoldOfTheStreamedOne(_ example: Case) {
        guard example.stops.isEmpty else { return }
        let whole = ReplyPipeline.whole(example.raw, namePrefixes: example.prefixes, insideReasoning: example.insideReasoning)
        #expect(whole.content == example.content)
        #expect(whole.reasoning == example.reasoning)
    }
}
