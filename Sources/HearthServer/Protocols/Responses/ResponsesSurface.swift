import OpenAIAPI
import OrderedJSON

/// OpenAI's Responses API: `/v1/responses`, stored responses, background ones and their
/// cancelling.
struct ResponsesSurface: APISurface {
    let models: ModelRegistry
    let configuration: ServerConfiguration

    func addRoutes(to routes: SurfaceRoutes) {
        ResponsesController(models: models, configuration: configuration).addRoutes(to: routes.group("v1"))
    }

    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation] {
        [
            .init(
                method: "post",
                path: "/v1/responses",
                tag: "OpenAI",
                summary: "Create a response (stored for previous_response_id unless store is false)",
                body: ResponsesRequest.self,
                examples: [RawJSON(json: ResponsesSchemas.response)],
                moreContent: [("text/event-stream", ["schema": ResponsesSchemas.event])]
            ),
            .init(
                method: "get",
                path: "/v1/responses/{id}",
                tag: "OpenAI",
                summary: "A stored response",
                examples: [RawJSON(json: ResponsesSchemas.response)],
                parameters: [APIDocument.pathParameter("id")]
            ),
            .init(
                method: "delete",
                path: "/v1/responses/{id}",
                tag: "OpenAI",
                summary: "Forget a stored response",
                examples: [RawJSON(json: ["id": "resp_1", "object": "response.deleted", "deleted": true])],
                parameters: [APIDocument.pathParameter("id")]
            ),
            .init(
                method: "post",
                path: "/v1/responses/{id}/cancel",
                tag: "OpenAI",
                summary: "Stop a background response still generating (it becomes cancelled); one that ended is returned as it is",
                examples: [RawJSON(json: ResponsesSchemas.response)],
                parameters: [APIDocument.pathParameter("id")]
            ),
            .init(
                method: "get",
                path: "/v1/responses/{id}/input_items",
                tag: "OpenAI",
                summary: "The input items of a stored response",
                examples: [RawJSON(json: ResponsesSchemas.inputItems)],
                parameters: [APIDocument.pathParameter("id")]
            ),
        ]
    }
}
