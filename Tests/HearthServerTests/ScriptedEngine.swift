import Foundation
import HearthServer
import LlamaEngine

/// An engine without a model, for tests where the model adds nothing (routing, validation,
/// framing, errors): a token is one Unicode scalar, and every generation replies with the
/// scripted pieces, through the same stop-string filter as the real engine.
final class ScriptedEngine: GenerationEngine {
    /// The pieces a request gets, as if each were a token.
    let reply: @Sendable (GenerationRequest) -> [String]
    let contextLength: Int
    let modelInfo: ModelInfo

    init(contextLength: Int = 1024, reply: @escaping @Sendable (GenerationRequest) -> [String] = { _ in ["Hello", " there", "."] }) {
        self.contextLength = contextLength
        self.reply = reply
        modelInfo = ModelInfo(
            name: "scripted",
            // ChatML, as the default model's template renders it.
            chatTemplate: """
                {% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}\
                {% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}
                """,
            vocabularySize: 0x11_0000
        )
    }

    /// Replies are made at once: nothing is ever running.
    var activeGenerations: Int { 0 }
    let becameIdle = ChangeSignal()

    func tokenize(_ text: String, addSpecial: Bool) throws(LlamaError) -> [Int32] { text.unicodeScalars.map { Int32($0.value) } }

    func piece(of token: Int32, special: Bool) -> [UInt8] { Unicode.Scalar(UInt32(token)).map { Array(String($0).utf8) } ?? [] }

    func detokenize(_ tokens: [Int32]) -> String { String(decoding: tokens.flatMap { piece(of: $0, special: false) }, as: UTF8.self) }

    func promptTokens(for request: GenerationRequest) throws(LlamaError) -> [Int32] {
        let tokens = try tokenize(request.prompt, addSpecial: request.addBOS)
        return tokens.isEmpty ? [0] : tokens
    }

    func generate(_ request: GenerationRequest, choices: Int) throws(LlamaError) -> [AsyncThrowingStream<GenerationEvent, any Error>] {
        // As LlamaRuntime's `--parallel`: the bound on `n` is the engine's.
        guard (1...8).contains(choices) else { throw .tooManyChoices(requested: choices, limit: 8) }
        let prompt = try promptTokens(for: request)
        guard prompt.count < contextLength else { throw .promptTooLong(promptTokens: prompt.count, contextLength: contextLength) }
        let pieces = reply(request)
        return (0..<choices).map { _ in
            var events: [GenerationEvent] = []
            var filter = StopStringFilter(stops: request.stop)
            var reason = StopReason.stop
            var count = 0
            for piece in pieces {
                if let limit = request.maxTokens, count >= limit {
                    reason = .length
                    break
                }
                count += 1
                let output = filter.append(piece)
                if !output.text.isEmpty { events.append(.text(output.text)) }
                if output.stopped { break }
            }
            let rest = filter.flush()
            if !rest.isEmpty { events.append(.text(rest)) }
            // As if every token after the first had been drafted and all but one accepted.
            let speculation = SpeculationCounts(drafted: max(count - 1, 0), accepted: max(count - 2, 0))
            events.append(.finished(GenerationSummary(reason: reason, promptTokens: prompt.count, completionTokens: count, speculation: speculation)))
            return AsyncThrowingStream { continuation in
                for event in events { continuation.yield(event) }
                continuation.finish()
            }
        }
    }

    func nextTokenDistribution(prompt: String, sampling: SamplingParameters, adapters: AdapterSet, applySamplers: Bool, top: Int) async throws
        -> [TokenProbability]
    {
        [TokenProbability(token: 65, probability: 0.75), TokenProbability(token: 66, probability: 0.25)].prefix(top).map { $0 }
    }

    func stopAll() {}

    func drain(timeout: Duration) async {}
}
