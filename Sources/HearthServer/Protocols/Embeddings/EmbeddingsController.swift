import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI
import OrderedJSON

/// `POST /v1/embeddings` (and, for ``LegacyEnginesController``, `/v1/engines/{model}/embeddings`)
/// and `POST /v1/moderations`, computed with the sentence-transformers models (``EmbeddingModels``).
struct EmbeddingsController<Context: RequestContext>: Sendable {
    let embeddings: EmbeddingModels
    let models: ModelRegistry
    let configuration: ServerConfiguration

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("embeddings") { request, context in try await create(request, context: context, model: nil) }
        group.post("moderations", use: moderate)
    }

    /// The vectors of a request's `input`, from the model `path` names when it names one, else
    /// from the body's.
    func create(_ request: Request, context: Context, model path: String?) async throws -> Response {
        var request = request
        var body = try await request.decodeJSON(EmbeddingRequest.self, limit: configuration.maxBodyBytes)
        if let path { body.model = path }
        let (name, vectors, tokens) = try await embed(body.input, model: body.model, request: request, logger: context.logger)
        if let dimensions = body.dimensions, dimensions != vectors.first?.count {
            throw OpenAIError.invalidValue(
                "dimensions",
                "\(name) makes vectors of \(vectors.first?.count ?? 0) dimensions, which cannot be changed; leave dimensions out."
            )
        }
        return GenerationResponse.json(EmbeddingResponse(vectors: vectors, base64: body.base64, model: name, promptTokens: tokens))
    }

    @Sendable func moderate(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let inputs = try await request.decodeJSON(ModerationRequest.self, limit: configuration.maxBodyBytes).inputs
        // Empty strings have a vector too (the model's start and end tokens): no 400, as OpenAI.
        let (_, vectors, _) = try await embed(.texts(Moderation.categories + inputs), model: nil, request: request, logger: context.logger)
        let categories = Array(vectors.prefix(Moderation.categories.count))
        let results = vectors.dropFirst(Moderation.categories.count).map { Moderation.result(input: $0, categories: categories) }
        return GenerationResponse.json(
            RawJSON(json: ["id": .string(ResponseID.make("modr-")), "model": "text-moderation-001", "results": .array(Array(results))])
        )
    }

    /// The vectors of the inputs, the model's name and the tokens it read. The connection ends
    /// after the answer (disconnect detection reads its inbound side): answer with
    /// `GenerationResponse.json`, which says so.
    func embed(_ input: EmbeddingRequest.Input, model: String?, request: Request, logger: Logger) async throws -> (String, [[Float]], Int) {
        let name = try embeddings.resolve(model)
        let encoder = try embeddings.encoder(name)
        let ids: [[Int32]]
        switch input {
        case .texts(let texts):
            ids = texts.map(encoder.folder.tokenize)
        case .tokens(let lists):
            let tokenizer = encoder.folder.tokenizer
            for (index, list) in lists.enumerated() {
                if let bad = list.firstIndex(where: { $0 >= tokenizer.vocabularySize }) {
                    let field = lists.count == 1 && input.count == 1 ? "input[\(bad)]" : "input[\(index)][\(bad)]"
                    throw OpenAIError.invalidValue(
                        field,
                        "\(list[bad]) is not a token id of \(name), whose vocabulary has \(tokenizer.vocabularySize) entries (token inputs are this model's ids, not OpenAI's)."
                    )
                }
            }
            ids = lists.map { tokenizer.wrap($0.map(Int32.init), maxLength: encoder.folder.maxSequenceLength) }
        }
        let vectors = try await request.cancellingOnDisconnect { try await embeddings.embed(ids, with: encoder) }
        if configuration.logsUserText {
            logger.debug("Embedded", metadata: ["model": "\(name)", "inputs": "\(input)"])
        }
        return (name, vectors, ids.reduce(0) { $0 + $1.count })
    }
}
