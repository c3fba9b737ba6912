import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI
import OrderedJSON

/// OpenAI's Responses API: `POST /v1/responses` (streamed or not), and for stored responses
/// `GET /v1/responses/{id}`, `DELETE /v1/responses/{id}` and
/// `GET /v1/responses/{id}/input_items`. A request is read in its own words
/// (``ResponsesRequest``) as the job it means after the stored conversation it continues, and
/// runs through ``ChatSession``; ``ResponsesWriter`` shapes the reply.
struct ResponsesController: Sendable {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    /// `GET /v1/responses/{id}`: a stored response.
    @Sendable func retrieve(_ request: Request, context: BasicRequestContext) async throws -> Response {
        jsonResponse(RawJSON(json: try stored(context).response))
    }

    /// `DELETE /v1/responses/{id}`: forgets it.
    @Sendable func delete(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard configuration.responses.remove(id) else { throw Self.notFound(id) }
        return jsonResponse(RawJSON(json: ["id": .string(id), "object": "response.deleted", "deleted": true]))
    }

    /// `POST /v1/responses/{id}/cancel`: stops a background response still generating; one
    /// that ended is returned as it is.
    @Sendable func cancel(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let entry = configuration.responses.get(id) else { throw Self.notFound(id) }
        guard entry.response["background"] == true else {
            throw OpenAIError.invalidValue(
                "response_id",
                "only background responses can be cancelled; '\(id)' was not created with background: true."
            )
        }
        return jsonResponse(RawJSON(json: configuration.responses.cancel(id)?.response ?? entry.response))
    }

    /// `GET /v1/responses/{id}/input_items`: what it was asked, as items.
    @Sendable func inputItems(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let input = try stored(context).input
        return jsonResponse(
            RawJSON(json: [
                "object": "list", "data": .array(input), "first_id": input.first?["id"] ?? .null,
                "last_id": input.last?["id"] ?? .null, "has_more": false,
            ])
        )
    }

    private func stored(_ context: BasicRequestContext) throws -> ResponseStore.Entry {
        let id = try context.parameters.require("id")
        guard let entry = configuration.responses.get(id) else { throw Self.notFound(id) }
        return entry
    }

    private static func notFound(_ id: String, param: String? = nil) -> OpenAIError {
        OpenAIError(status: 404, message: "No response found with id '\(id)'.", type: "invalid_request_error", param: param, code: "not_found")
    }

    @Sendable func create(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let json = try await request.jsonBody(limit: configuration.maxBodyBytes)
        let body = try RequestDecoder().decode(ResponsesRequest.self, from: json)
        let items = body.items.map(Self.withID)
        let history: [JSON]
        if let previous = body.previousResponseID {
            guard let entry = configuration.responses.get(previous) else { throw Self.notFound(previous, param: "previous_response_id") }
            history = entry.conversation
        } else {
            history = []
        }
        let job = try body.job(history: history, items: items)
        let stores = body.stores
        if body.background {
            return try await background(json, job: job, model: body.model, stores: stores, items: items, history: history, logger: context.logger)
        }
        let collected = request
        let store = configuration.responses
        return try await models.withModel(body.model) { model in
            let session = try await ChatSession.start(job, model: model, configuration: configuration, logger: context.logger)
            let writer = ResponsesWriter(
                id: ResponseID.make(configuration.responseIDPrefix),
                createdAt: ResponseID.now,
                model: model.id,
                echo: Self.echo(json, stores: stores)
            )
            // Kept for `previous_response_id` and retrieval once finished.
            return try await session.reply(through: writer, request: collected, logger: context.logger) { writer, usage in
                guard stores else { return }
                store.put(writer.id, .init(response: writer.response(usage: usage), input: items, conversation: history + items + writer.output))
            }
        }
    }

    /// `background: true`: answers at once with the response `queued` (after the request is
    /// checked: its 400s come here, not later), then generates to the end whether or not anyone
    /// waits; `GET /v1/responses/{id}` shows it `in_progress`, then `completed` (or `failed`),
    /// and `POST /v1/responses/{id}/cancel` stops it.
    private func background(
        _ json: JSON,
        job: ChatJob,
        model name: String?,
        stores: Bool,
        items: [JSON],
        history: [JSON],
        logger: Logger
    ) async throws -> Response {
        guard stores else {
            throw OpenAIError.invalidValue("background", "a background response must be stored: leave 'store' true.")
        }
        guard !job.stream else {
            throw OpenAIError.invalidValue("stream", "background responses are not streamed here: poll GET /v1/responses/{id} instead.")
        }
        let store = configuration.responses
        let id = ResponseID.make(configuration.responseIDPrefix)
        let (started, signal) = AsyncStream<Result<JSON, any Error>>.makeStream()
        let task = Task { [models, configuration] in
            do {
                try await models.withModel(name) { model in
                    let session = try await ChatSession.start(job, model: model, configuration: configuration, logger: logger)
                    var writer = ResponsesWriter(id: id, createdAt: ResponseID.now, model: model.id, echo: Self.echo(json, stores: true))
                    writer.background = true
                    let running = writer
                    store.put(id, .init(response: writer.response(status: "in_progress"), input: items, conversation: history + items))
                    signal.yield(.success(writer.response(status: "queued")))
                    signal.finish()
                    do {
                        let (usage, _) = try await session.replies.forEachDelta { _ = writer.events(for: $0) }
                        _ = writer.finish(usage: usage)
                        store.settle(id, .init(response: writer.response(usage: usage), input: items, conversation: history + items + writer.output))
                    } catch is CancellationError {
                        // Cancelled: the store already says so.
                    } catch {
                        let failure = (error as? OpenAIError) ?? (error as? LlamaError).map { OpenAIError($0, param: "input") } ?? .internalError
                        let described: JSON = ["code": .string(failure.code ?? "server_error"), "message": .string(failure.message)]
                        store.settle(
                            id,
                            .init(response: running.response(status: "failed", error: described), input: items, conversation: history + items)
                        )
                    }
                }
            } catch {
                // Refused before it was queued (a bad request, no model): the caller gets the error.
                signal.yield(.failure(error))
                signal.finish()
            }
        }
        store.track(id, task)
        for await result in started {
            return jsonResponse(RawJSON(json: try result.get()))
        }
        throw CancellationError()
    }

    /// An input item with an id (stored items are listed by id); a message's text content as an
    /// `input_text` part, as OpenAI lists it.
    private static func withID(_ item: JSON) -> JSON {
        guard case .object(var members) = item else { return item }
        if let index = members.firstIndex(where: { $0.0 == "content" }), case .string(let text) = members[index].1, item["role"] != nil {
            members[index].1 = [["type": item["role"] == "assistant" ? "output_text" : "input_text", "text": .string(text)]]
        }
        if item["type"] == nil, item["role"] != nil { members.insert(("type", "message"), at: 0) }
        if item["id"] == nil { members.insert(("id", .string(ResponseID.make(item["role"] != nil ? "msg_" : "item_"))), at: 0) }
        return .object(members)
    }

    /// The request fields a response object repeats, with OpenAI's defaults.
    private static func echo(_ request: JSON, stores: Bool) -> [(String, JSON)] {
        func field(_ name: String, _ fallback: JSON) -> JSON {
            guard let value = request[name], !value.isNull else { return fallback }
            return value
        }
        return [
            ("instructions", field("instructions", .null)), ("max_output_tokens", field("max_output_tokens", .null)),
            ("metadata", field("metadata", [:])), ("parallel_tool_calls", field("parallel_tool_calls", true)),
            ("previous_response_id", field("previous_response_id", .null)),
            ("reasoning", ["effort": request["reasoning"]?["effort"] ?? .null, "summary": .null]), ("store", .bool(stores)),
            ("temperature", field("temperature", 1.0)), ("text", ["format": request["text"]?["format"] ?? ["type": "text"]]),
            ("tool_choice", field("tool_choice", "auto")), ("tools", field("tools", [])), ("top_p", field("top_p", 1.0)),
            ("truncation", "disabled"), ("user", .null),
        ]
    }
}
