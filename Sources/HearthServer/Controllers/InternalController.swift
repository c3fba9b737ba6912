import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI

/// text-generation-webui's `/v1/internal` endpoints for tokens and stopping.
struct InternalController<Context: RequestContext>: Sendable {
    let model: ServedModel
    let configuration: ServerConfiguration

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("encode", use: encode)
        group.post("decode", use: decode)
        group.post("token-count", use: tokenCount)
        group.post("stop-generation", use: stopGeneration)
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
        try body.validate(vocabularySize: model.engine.model.info.vocabularySize)
        return jsonResponse(DecodedText(text: model.engine.model.detokenize(body.tokens.map { Int32($0) })))
    }

    /// Ends every running and waiting generation, for all clients; each ends with
    /// `finish_reason: "stop"`.
    @Sendable func stopGeneration(_ request: Request, context: Context) async throws -> Response {
        model.engine.stopAll()
        context.logger.info("Stopped every generation on request")
        return jsonResponse(JSONString("OK"))
    }

    private func tokens(of request: Request) async throws -> [Int32] {
        var request = request
        let body = try await request.decodeJSON(TextRequest.self, limit: configuration.maxBodyBytes)
        do {
            return try model.engine.model.tokenize(body.text, addSpecial: true)
        } catch {
            throw OpenAIError(error, param: "text")
        }
    }
}
