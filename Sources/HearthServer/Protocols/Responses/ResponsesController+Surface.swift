import Hummingbird
import OpenAIAPI
import OrderedJSON

/// OpenAI's Responses API: `/v1/responses`, stored responses, background ones and their
/// cancelling.
extension ResponsesController: APISurface {
    func addRoutes(to routes: SurfaceRoutes) {
        let group = routes.group("v1")
        group.post("responses", use: create)
        group.get("responses/{id}", use: retrieve)
        group.delete("responses/{id}", use: delete)
        group.post("responses/{id}/cancel", use: cancel)
        group.get("responses/{id}/input_items", use: inputItems)
    }

    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation] {
        /// A route about one stored response.
        func stored(_ method: String, _ path: String, _ summary: String, example: JSON = ResponsesSchemas.response) -> APIDocument.Operation {
            .init(
                method: method,
                path: "/v1/responses/{id}" + path,
                tag: "OpenAI",
                summary: summary,
                examples: [RawJSON(json: example)],
                parameters: [APIDocument.pathParameter("id")]
            )
        }
        return [
            .init(
                method: "post",
                path: "/v1/responses",
                tag: "OpenAI",
                summary: "Create a response (stored for previous_response_id unless store is false)",
                body: ResponsesRequest.self,
                examples: [RawJSON(json: ResponsesSchemas.response)],
                moreContent: [("text/event-stream", ["schema": ResponsesSchemas.event])]
            ),
            stored("get", "", "A stored response"),
            stored("delete", "", "Forget a stored response", example: ["id": "resp_1", "object": "response.deleted", "deleted": true]),
            stored(
                "post",
                "/cancel",
                "Stop a background response still generating (it becomes cancelled); one that ended is returned as it is"
            ),
            stored("get", "/input_items", "The input items of a stored response", example: ResponsesSchemas.inputItems),
        ]
    }
}
