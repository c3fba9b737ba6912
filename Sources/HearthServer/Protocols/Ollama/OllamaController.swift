import Foundation
import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI
import OrderedJSON
import Prompting

/// Ollama's API under `/api`: `chat` and `generate` (NDJSON streaming by default), `tags`,
/// `ps`, `show`, `version`. Requests are read in their own words as the job they mean
/// (``OllamaRequest``) and run through ``ChatSession``; replies take Ollama's shapes
/// (``OllamaReplyWriter``); errors are `{"error": "…"}`. Pulling, pushing and creating models
/// are refused: Hearth never connects anywhere.
struct OllamaController: Sendable {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    /// `/api/embed` (`input`: a string or strings → `embeddings`) and the older
    /// `/api/embeddings` (`prompt` → `embedding`), with the sentence-transformers models: a
    /// `model` naming one (`all-minilm`, `all-mpnet-base-v2`, …) picks it, any other name gets
    /// the default embedding model.
    @Sendable func embed(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard let embeddings = configuration.embeddings else {
            throw OpenAIError(status: 404, message: "No embedding model is served here.", type: "invalid_request_error")
        }
        var request = request
        let legacy = request.uri.path.hasSuffix("/embeddings")
        let body =
            try legacy
            ? await request.decodeJSON(OllamaEmbeddingsBody.self, limit: configuration.maxBodyBytes).request
            : await request.decodeJSON(OllamaEmbedBody.self, limit: configuration.maxBodyBytes).request
        if legacy && body.texts.isEmpty { return jsonResponse(RawJSON(json: ["embedding": []])) }
        let (texts, model) = (body.texts, body.model)
        let controller = EmbeddingsController<BasicRequestContext>(embeddings: embeddings, models: models, configuration: configuration)
        if !body.truncates {
            let encoder = try embeddings.encoder(try embeddings.resolve(model))
            let limit = encoder.folder.maxSequenceLength
            if let index = texts.firstIndex(where: { encoder.folder.tokenizer.encode($0, maxLength: .max).count > limit }) {
                throw OpenAIError.invalidValue("input[\(index)]", "the input is longer than the model's \(limit) tokens and truncate is false.")
            }
        }
        let started = ContinuousClock.now
        let (_, vectors, tokens) = try await controller.embed(.texts(texts), model: model, request: request, logger: context.logger)
        if legacy { return GenerationResponse.json(RawJSON(json: ["embedding": EmbeddingResponse.floats(vectors[0])])) }
        return GenerationResponse.json(
            RawJSON(json: [
                "model": .string(model ?? ""), "embeddings": .array(vectors.map(EmbeddingResponse.floats)),
                "total_duration": .int(OllamaReplyWriter.nanoseconds(started.duration(to: .now))), "load_duration": 0,
                "prompt_eval_count": .int(tokens),
            ])
        )
    }

    static var offline: OpenAIError {
        OpenAIError(
            status: 403,
            message: "Hearth runs offline and never downloads or uploads models: copy a GGUF file into its models folder (--model-dir) instead.",
            type: "invalid_request_error"
        )
    }

    func generate(_ request: Request, context: BasicRequestContext, kind: OllamaReplyWriter.Kind) async throws -> Response {
        var request = request
        let json = try await request.jsonBody(limit: configuration.maxBodyBytes)
        let keepAlive = try OllamaKeepAlive.read(json)
        if Self.managesOnly(json, kind: kind) { return try await manage(json, kind: kind, keepAlive: keepAlive) }
        let body =
            try kind == .chat
            ? RequestDecoder().decode(OllamaChatRequest.self, from: json).request
            : RequestDecoder().decode(OllamaGenerateRequest.self, from: json).request
        let name = json["model"]?.string ?? ""
        let collected = request
        return try await models.withModel(body.model) { model in
            if let keepAlive { await models.keepAlive(model.id, keepAlive) }
            var job = body.job
            job.promptPrefix = try Self.text(ofContext: body.context, engine: model.engine)
            let session = try await ChatSession.start(job, model: model, configuration: configuration, logger: context.logger)
            var writer = OllamaReplyWriter(kind: kind, model: name.isEmpty ? model.id : name)
            if kind == .generate {
                // The conversation so far as tokens, for the next request's `context`.
                let (engine, prompt) = (model.engine, session.promptText)
                writer.context = { reply in
                    (try? engine.promptTokens(for: GenerationRequest(prompt: prompt + reply, maxTokens: 1)))?.map(Int.init) ?? []
                }
            }
            return try await session.reply(through: writer, request: collected, logger: context.logger)
        }
    }

    /// The text a `context` of token ids stands for, special tokens written out, so that it
    /// tokenizes back to the same ids.
    /// - Throws: 400 naming the first id outside the vocabulary.
    static func text(ofContext context: [Int], engine: any GenerationEngine) throws(OpenAIError) -> String {
        var bytes: [UInt8] = []
        for (index, token) in context.enumerated() {
            guard (0..<engine.modelInfo.vocabularySize).contains(token) else {
                throw .invalidValue("context[\(index)]", "\(token) is not a token id of this model.")
            }
            bytes += engine.piece(of: Int32(token), special: true)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A request with nothing to answer (no `prompt`, no `messages`): Ollama's way to load a
    /// model ahead of use, or with `keep_alive: 0` to unload it (`ollama stop`).
    private static func managesOnly(_ json: JSON, kind: OllamaReplyWriter.Kind) -> Bool {
        guard case .object = json else { return false }  // refused by the body's reader
        return switch kind {
        case .generate: (json["prompt"]?.string ?? "").isEmpty && json["images"] == nil && json["system"] == nil
        case .chat: json["messages"] == .array([])
        }
    }

    private func manage(_ json: JSON, kind: OllamaReplyWriter.Kind, keepAlive: OllamaKeepAlive?) async throws -> Response {
        let name = json["model"]?.string ?? ""
        let modelName = OllamaRequest.modelName(name)
        let reason: String
        if keepAlive == .idle(.zero) {
            if let id = await models.loadedID(named: modelName ?? "") { await models.unload(id) }
            reason = "unload"
        } else {
            try await models.withModel(modelName) { model in
                if let keepAlive { await models.keepAlive(model.id, keepAlive) }
            }
            reason = "load"
        }
        let answer: (String, JSON) = kind == .chat ? ("message", ["role": "assistant", "content": ""]) : ("response", "")
        return jsonResponse(
            RawJSON(
                json: .object([
                    ("model", .string(name)), ("created_at", .string(OllamaReplyWriter.timestamp())), answer,
                    ("done_reason", .string(reason)), ("done", true), ("total_duration", 0), ("load_duration", 0),
                    ("prompt_eval_count", 0), ("prompt_eval_duration", 0), ("eval_count", 0), ("eval_duration", 0),
                ])
            )
        )
    }

    /// Installed models, as Ollama lists them (`name:latest`).
    @Sendable func tags(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let (loaded, available) = await models.installed()
        return jsonResponse(RawJSON(json: ["models": .array((loaded + available).map { Self.listing($0) })]))
    }

    /// An expiry as Ollama writes it (RFC 3339 with the local offset; UTC here); never is the
    /// far future.
    private static func timestamp(_ expiry: ContinuousClock.Instant?) -> String {
        guard let expiry else { return "9999-12-31T23:59:59Z" }
        let seconds = ContinuousClock.now.duration(to: expiry).components.seconds
        return OllamaReplyWriter.timestamp(Date(timeIntervalSinceNow: TimeInterval(seconds)))
    }

    /// Loaded models.
    @Sendable func running(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let (loaded, _) = await models.installed()
        var listed: [JSON] = []
        for entry in loaded {
            let expiry = await models.expiry(of: entry.id)
            var extra: [(String, JSON)] = [("expires_at", .string(Self.timestamp(expiry))), ("size_vram", 0)]
            if let length = await models.contextLength(of: entry.id) { extra.append(("context_length", .int(length))) }
            listed.append(Self.listing(entry, extra: extra))
        }
        return jsonResponse(RawJSON(json: ["models": .array(listed)]))
    }

    /// A model's template, facts and capabilities, read from its file's header (the model is
    /// not loaded).
    @Sendable func show(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let name = try await request.decodeJSON(OllamaShowRequest.self, limit: configuration.maxBodyBytes).name
        guard let entry = await Self.entry(named: name, models: models), let metadata = GGUFMetadata.read(path: entry.path) else {
            throw OpenAIError(status: 404, message: "model '\(name)' not found", type: "invalid_request_error")
        }
        var capabilities: [JSON] = ["completion", "tools"]
        if ReasoningSplitter.tags(inTemplate: metadata.chatTemplate ?? "") != nil { capabilities.append("thinking") }
        var info: [(String, JSON)] = [("general.architecture", .string(metadata.architecture))]
        if let title = metadata.name { info.append(("general.name", .string(title))) }
        if let length = metadata.trainedContextLength { info.append(("\(metadata.architecture).context_length", .int(length))) }
        if let count = metadata.parameterCount { info.append(("general.parameter_count", .int(count))) }
        let body: JSON = [
            "modelfile": "", "parameters": "", "template": .string(metadata.chatTemplate ?? ""),
            "details": Self.details(metadata), "model_info": .object(info),
            "capabilities": .array(capabilities), "modified_at": .string(Self.isoDate(entry.modified)),
        ]
        return jsonResponse(RawJSON(json: body))
    }

    private static func entry(named name: String, models: ModelRegistry) async -> ModelCatalog.Entry? {
        let (loaded, available) = await models.installed()
        return (loaded + available).first { $0.id == name || $0.path.hasSuffix("/" + name) }
    }

    private static func listing(_ entry: ModelCatalog.Entry, extra: [(String, JSON)] = []) -> JSON {
        let size = (try? FileManager.default.attributesOfItem(atPath: entry.path)[.size] as? Int) ?? 0
        return .object(
            [
                ("name", .string(entry.id + ":latest")), ("model", .string(entry.id + ":latest")),
                ("modified_at", .string(isoDate(entry.modified))), ("size", .int(size)),
                ("digest", .string(digest(of: entry, size: size))),
                ("details", details(GGUFMetadata.read(path: entry.path))),
            ] + extra
        )
    }

    /// The model's family, size and quantization, read from its GGUF header.
    private static func details(_ metadata: GGUFMetadata?) -> JSON {
        let architecture = metadata?.architecture ?? ""
        return [
            "parent_model": "", "format": "gguf", "family": .string(architecture),
            "families": architecture.isEmpty ? [] : [.string(architecture)],
            "parameter_size": .string(metadata?.parameterSize ?? ""), "quantization_level": .string(metadata?.quantization ?? ""),
        ]
    }

    /// A stable 64-hex-digit tag of the file (its id, size and time; not a hash of its bytes,
    /// which would read gigabytes on every listing).
    private static func digest(of entry: ModelCatalog.Entry, size: Int) -> String {
        let text = "\(entry.id)\u{0}\(size)\u{0}\(entry.modified)"
        return (0..<4).map { seed in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 &+ UInt64(seed)
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return String(hash, radix: 16).leftPadded(to: 16)
        }.joined()
    }

    private static func isoDate(_ seconds: Int) -> String {
        OllamaReplyWriter.timestamp(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String { String(repeating: "0", count: max(0, length - count)) + self }
}
