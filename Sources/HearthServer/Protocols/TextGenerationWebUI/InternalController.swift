import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI
import OrderedJSON
import Prompting

/// text-generation-webui's `/v1/internal` endpoints for tokens and stopping.
struct InternalController<Context: RequestContext>: Sendable {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("encode", use: encode)
        group.post("decode", use: decode)
        group.post("token-count", use: tokenCount)
        group.post("stop-generation", use: stopGeneration)
        group.post("logits", use: logits)
        group.post("chat-prompt", use: chatPrompt)
        // text-generation-webui's health check (behind the key, as there).
        group.get("health") { [models] _, _ in await healthResponse(models) }
        group.get("chat-options") { _, _ in chatOptions() }
    }

    /// What a chat request's `mode`, `character`, `instruction_template` and `preset` may name
    /// on this server (Hearth's own; the chat page fills its pickers from it).
    func chatOptions() -> Response {
        jsonResponse(
            ChatOptionsResponse(
                modes: ChatMode.allCases.map(\.rawValue),
                characters: configuration.promptLibrary.characterNames(),
                instructionTemplates: configuration.promptLibrary.instructionTemplateNames(),
                presets: PresetStore(directory: configuration.presetDirectory).names()
            )
        )
    }

    /// The next-token distribution after a prompt, `{token text: probability}`, most likely
    /// first. Tokens whose texts coincide (byte pieces of one character) keep the likeliest.
    @Sendable func logits(_ request: Request, context: Context) async throws -> Response {
        try await models.withModel(for: request, named: nil, limit: configuration.maxBodyBytes) { request, json, model in
            try await logits(request, json: json, model: model)
        }
    }

    private func logits(_ request: Request, json: JSON, model: ServedModel) async throws -> Response {
        let body = try RequestBody.generation(
            LogitsRequest.self,
            from: json,
            configuration: configuration,
            vocabularySize: model.engine.modelInfo.vocabularySize
        )
        let sampling = SamplingParameters(body.options, defaults: configuration.defaultSampling)
        let adapters = try model.adapterSet(for: body.options.lora, library: configuration.loras)
        let distribution: [TokenProbability]
        do {
            distribution = try await request.cancellingOnDisconnect {
                try await model.engine.nextTokenDistribution(
                    prompt: body.prompt,
                    sampling: sampling,
                    adapters: adapters,
                    applySamplers: body.useSamplers,
                    top: body.topLogits
                )
            }
        } catch let error as LlamaError {
            throw OpenAIError(error, param: "prompt")
        }
        var seen = Set<String>()
        var entries: [(text: String, probability: Double)] = []
        for entry in distribution {
            let text = String(decoding: model.engine.piece(of: entry.token, special: true), as: UTF8.self)
            if seen.insert(text).inserted { entries.append((text, entry.probability)) }
        }
        return GenerationResponse.json(TokenProbabilities(entries: entries))
    }

    /// The exact prompt `POST /v1/chat/completions` would generate from for the same body.
    @Sendable func chatPrompt(_ request: Request, context: Context) async throws -> Response {
        try await models.withModel(for: request, named: nil, limit: configuration.maxBodyBytes) { _, json, model in
            jsonResponse(
                ChatPromptText(prompt: try await RequestBody.chat(json, configuration: configuration, model: model).job.prompt(model: model).text)
            )
        }
    }

    /// Tokens of `text`, with the BOS token when the model adds one (as generation does).
    @Sendable func encode(_ request: Request, context: Context) async throws -> Response {
        jsonResponse(TokenList(tokens: try await tokens(of: request).map(Int.init)))
    }

    @Sendable func tokenCount(_ request: Request, context: Context) async throws -> Response {
        jsonResponse(TokenCount(length: try await tokens(of: request).count))
    }

    /// Text of token ids; special tokens are skipped, as text-generation-webui does.
    @Sendable func decode(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(TokensRequest.self, limit: configuration.maxBodyBytes)
        return try await models.withModel(nil) { model in
            try body.validate(vocabularySize: model.engine.modelInfo.vocabularySize)
            return jsonResponse(DecodedText(text: model.engine.detokenize(body.tokens.map { Int32(clamping: $0) })))
        }
    }

    /// Ends every running and waiting generation, for all clients; each ends with
    /// `finish_reason: "stop"`.
    @Sendable func stopGeneration(_ request: Request, context: Context) async throws -> Response {
        await models.stopAll()
        context.logger.info("Stopped every generation on request")
        return jsonResponse(JSONString("OK"))
    }

    private func tokens(of request: Request) async throws -> [Int32] {
        var request = request
        let body = try await request.decodeJSON(TextRequest.self, limit: configuration.maxBodyBytes)
        return try await models.withModel(nil) { model in
            do throws(LlamaError) {
                return try model.engine.tokenize(body.text, addSpecial: true)
            } catch {
                throw OpenAIError(error, param: "text")
            }
        }
    }
}
