import LlamaEngine
import Logging
import OpenAIAPI
import OrderedJSON
import Prompting
import StructuredOutput

/// A chat request started on a model: its decoded body and the replies streaming from the
/// engine. Every protocol that chats (`/v1/chat/completions`, Anthropic's `/v1/messages`) starts
/// here from an OpenAI chat body and renders the same ``ChatReplies`` in its own shape.
struct ChatSession {
    let body: ChatCompletionRequest
    let replies: ChatReplies

    /// Builds the prompt with the model's template, the request's samplers, adapters, output
    /// constraint and tools, and starts the generations.
    /// - Throws: ``OpenAIError`` naming the field for every request problem.
    static func start(_ json: JSON, model: ServedModel, configuration: ServerConfiguration, logger: Logger) async throws -> ChatSession {
        let (body, prompt) = try await RequestBody.chat(json, configuration: configuration, model: model)
        if configuration.logsUserText {
            logger.debug("Chat prompt", metadata: ["prompt": "\(prompt.text)"])
        }
        var generation = GenerationRequest(
            prompt: prompt.text,
            maxTokens: body.maxTokens,
            options: body.options,
            defaults: configuration.defaultSampling
        )
        // The template's own turn separators stop a reply that runs into a next turn.
        for stop in prompt.stopStrings where !generation.stop.contains(stop) { generation.stop.append(stop) }
        if body.logprobs == true { generation.logprobs = body.topLogprobs ?? 0 }
        generation.adapters = try model.adapterSet(for: body.options.lora, library: configuration.loras)
        let plan = try OutputPlan(
            chat: body,
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
            choices: body.options.n ?? 1,
            promptParam: "messages",
            grammarParam: body.options.constraint?.field ?? "grammar_string"
        )
        var replies = ChatReplies(
            streams: streams,
            namePrefixes: prompt.replyNamePrefixes,
            insideReasoning: prompt.opensReasoning,
            reportsLogprobs: body.logprobs == true,
            keepsText: configuration.logsUserText,
            metrics: configuration.metrics
        )
        if !plan.tools.isEmpty {
            replies.toolParser = ToolCallParser(format: plan.toolFormat, tools: plan.tools, parallel: plan.parallelToolCalls)
        }
        return ChatSession(body: body, replies: replies)
    }
}
