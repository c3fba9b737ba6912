import OpenAIAPI
import OrderedJSON

/// The OpenAPI 3.1 document served at `GET /openapi.json`, put together from every
/// ``APISurface``'s own operations.
///
/// Request bodies are the schemas ``SchemaRecorder`` reads off the very types the routes decode
/// them with; responses are inferred (``SchemaInference``) from values the response types render.
/// Each surface pairs its paths with their types beside the routes it adds; a test checks the
/// whole against the router's own routes.
enum APIDocument {
    /// One documented operation.
    struct Operation {
        var method: String
        var path: String
        var tag: String
        var summary: String
        /// The request body's schema (from the decoding type), if the route reads one.
        var body: (any Decodable.Type)?
        /// A body schema given as is, for a body read as JSON and translated.
        var bodySchema: JSON?
        /// The schema of a `multipart/form-data` body (an upload), instead of JSON.
        var formSchema: JSON?
        /// Examples the 200 response renders.
        var examples: [any JSONRepresentable] = []
        /// The media type of the 200 response when it is not JSON.
        var mediaType: String?
        /// The schema of each event of a `stream: true` response, if the route streams SSE
        /// chunks ended by `[DONE]`.
        var streamEvents: [any JSONRepresentable] = []
        /// Other media types of the 200 response, as given (a protocol's own stream).
        var moreContent: [(String, JSON)] = []
        /// Needs the API key when one is set.
        var keyed = true
        var parameters: [JSON] = []
    }

    /// A path parameter named `name`.
    static func pathParameter(_ name: String) -> JSON {
        ["name": .string(name), "in": "path", "required": true, "schema": ["type": "string"]]
    }

    /// The document of every surface's routes, for a server with this configuration.
    static func make(configuration: ServerConfiguration, surfaces: [any APISurface]) throws -> JSON {
        let keyed = !configuration.apiKeys.isEmpty
        var paths: [(String, JSON)] = []
        for surface in surfaces {
            for operation in surface.operations(configuration) {
                let entry = try document(operation, envelope: surface.envelope, keyed: keyed)
                if let index = paths.firstIndex(where: { $0.0 == operation.path }), case .object(let methods) = paths[index].1 {
                    paths[index].1 = .object(methods + [(operation.method, entry)])
                } else {
                    paths.append((operation.path, .object([(operation.method, entry)])))
                }
            }
        }
        var components: [(String, JSON)] = [("schemas", ["Error": SchemaInference.schema(of: APIExamples.errors.map(\.json))])]
        if keyed { components.append(("securitySchemes", ["bearer": ["type": "http", "scheme": "bearer"]])) }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Hearth",
                "version": .string(hearthServerVersion),
                "description": .string(
                    "OpenAI's API, and text-generation-webui's, served offline from a local GGUF model. Errors are OpenAI's envelope "
                        + "{\"error\": {\"message\", \"type\", \"param\", \"code\"}} (Anthropic's and Ollama's on their routes)."
                ),
            ],
            "paths": .object(paths),
            "components": .object(components),
        ]
    }

    private static func document(_ operation: Operation, envelope: ErrorEnvelope, keyed: Bool) throws -> JSON {
        var entry: [(String, JSON)] = [
            ("tags", [.string(operation.tag)]), ("summary", .string(operation.summary)),
            ("operationId", .string(operation.method + operation.path.replacingAll("/", "_").replacingAll("{", "").replacingAll("}", ""))),
        ]
        if !operation.parameters.isEmpty { entry.append(("parameters", .array(operation.parameters))) }
        if let schema = try operation.bodySchema ?? operation.body.map({ try SchemaRecorder.schema(of: $0) }) {
            entry.append(("requestBody", ["required": true, "content": ["application/json": ["schema": schema]]]))
        }
        if let schema = operation.formSchema {
            entry.append(("requestBody", ["required": true, "content": ["multipart/form-data": ["schema": schema]]]))
        }
        var content: [(String, JSON)] = []
        if let mediaType = operation.mediaType {
            content.append((mediaType, mediaType == "application/json" ? ["schema": ["type": "object"]] : ["schema": ["type": "string"]]))
        } else {
            content.append(("application/json", ["schema": SchemaInference.schema(of: operation.examples.map(\.json))]))
        }
        content += operation.moreContent
        if !operation.streamEvents.isEmpty {
            let events = SchemaInference.schema(of: operation.streamEvents.map(\.json))
            // An event's `data` is a chunk (or, after a failure mid-stream, an error), then
            // `[DONE]`: schemathesis and other SSE-aware tools check each event against this.
            let data: JSON = [
                "anyOf": [
                    ["const": "[DONE]"],
                    [
                        "type": "string", "contentMediaType": "application/json",
                        "contentSchema": ["anyOf": [events, ["$ref": "#/components/schemas/Error"]]],
                    ],
                ]
            ]
            content.append(
                (
                    "text/event-stream",
                    [
                        "schema": [
                            "type": "object", "properties": ["data": data], "required": ["data"],
                            "description": "With \"stream\": true: server-sent events, each `data: <chunk>`, then `data: [DONE]`.",
                        ],
                        "x-event-schema": events,
                    ]
                )
            )
        }
        let error: JSON = ["description": .string(envelope.description), "content": ["application/json": ["schema": envelope.schema]]]
        entry.append(("responses", ["200": ["description": "Success", "content": .object(content)], "default": error]))
        if operation.keyed && keyed { entry.append(("security", [["bearer": []]])) }
        return .object(entry)
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
