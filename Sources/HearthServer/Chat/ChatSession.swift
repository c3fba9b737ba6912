import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI
import OrderedJSON
import Prompting
import StructuredOutput

/// A chat job started on a model: the job and the replies streaming from the engine. Every
/// protocol that chats maps its request to a ``ChatJob``, starts it here and renders the same
/// ``ChatReplies`` in its own shape.
struct ChatSession {
    let job: ChatJob
    /// The text the model evaluates before its reply: the job's prefix and the rendered prompt.
    let promptText: String
    let replies: ChatReplies

    /// Builds the prompt with the model's template, the job's samplers, adapters, output
    /// constraint and tools, and starts the generations.
    /// - Throws: ``OpenAIError`` naming the field (as the client spelled it) for every problem.
    static func start(_ job: ChatJob, model: ServedModel, configuration: ServerConfiguration, logger: Logger) async throws -> ChatSession {
        let prompt = try await job.prompt(model: model)
        let promptText = job.promptPrefix + prompt.text
        if configuration.logsUserText {
            logger.debug("Chat prompt", metadata: ["prompt": "\(promptText)"])
        }
        var generation = GenerationRequest(
            prompt: promptText,
            maxTokens: job.maxTokens,
            options: job.options,
            defaults: configuration.defaultSampling
        )
        // The template's own turn separators stop a reply that runs into a next turn.
        for stop in prompt.stopStrings where !generation.stop.contains(stop) { generation.stop.append(stop) }
        if let logprobs = job.logprobs { generation.logprobs = logprobs }
        generation.adapters = try model.adapterSet(for: job.options.lora, library: configuration.loras)
        let plan = try OutputPlan(
            chat: job,
            format: model.toolFormat,
            reasoningClose: prompt.reasoningCloseTag,
            reasoningTags: model.reasoningTags
        )
        generation.sampling.grammar = plan.grammar
        if plan.rendersSpecialTokens { generation.rendersSpecialTokens = true }
        for opener in plan.bannedOpeners {
            if let tokens = try? model.engine.tokenize(opener, addSpecial: false), tokens.count == 1 {
                generation.sampling.logitBias[tokens[0]] = -.infinity
            }
        }
        let streams = try startGeneration(
            model.engine,
            generation,
            choices: job.options.n ?? 1,
            promptParam: job.names.messages,
            grammarParam: job.options.constraint?.field ?? "grammar_string"
        )
        var replies = ChatReplies(
            streams: GenerationStreams(streams, configuration: configuration),
            namePrefixes: prompt.replyNamePrefixes,
            insideReasoning: prompt.opensReasoning,
            reportsLogprobs: job.logprobs != nil
        )
        if !plan.tools.isEmpty {
            replies.toolParser = ToolCallParser(format: plan.toolFormat, tools: plan.tools, parallel: plan.parallelToolCalls)
        }
        return ChatSession(job: job, promptText: promptText, replies: replies)
    }
}

extension ChatJob {
    /// The prompt the model's template makes of this job. The room left to answer in is what
    /// the client asked for, within half the context.
    func prompt(model: ServedModel) async throws -> BuiltPrompt {
        let room = min(maxTokens ?? 512, model.engine.contextLength / 2)
        return try await model.chatPrompt(for: PromptRequest(self), room: room)
    }
}

extension ChatSession {
    /// The reply to the client through `encoder`, streamed or folded as the job asks (see
    /// ``reply(_:through:streaming:tokensPerSecond:request:logger:finished:)``).
    func reply<Encoder: ChatReplyEncoder>(
        through encoder: Encoder,
        request: Request,
        logger: Logger,
        finished: @escaping @Sendable (Encoder, Usage) -> Void = { _, _ in }
    ) async throws -> Response where Encoder.Fold == ChatReplyFold {
        try await HearthServer.reply(
            replies,
            through: encoder,
            streaming: job.stream,
            tokensPerSecond: job.options.tokensPerSecond,
            request: request,
            logger: logger,
            finished: finished
        )
    }
}
