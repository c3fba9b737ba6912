import OrderedJSON

/// JSON Schemas and examples of the embedding routes for /openapi.json (their bodies are read
/// by hand, like the Responses API's, so the schema is written here).
enum EmbeddingsSchemas {
    static let request: JSON = [
        "type": "object", "required": ["input"],
        "properties": [
            "input": [
                "description": "Texts, or token-id lists of the embedding model's own vocabulary (at most 2048 items).",
                "anyOf": [
                    ["type": "string", "minLength": 1],
                    ["type": "array", "items": ["type": "string", "minLength": 1], "minItems": 1, "maxItems": 2048],
                    ["type": "array", "items": ["type": "integer", "minimum": 0], "minItems": 1],
                    [
                        "type": "array", "items": ["type": "array", "items": ["type": "integer", "minimum": 0], "minItems": 1], "minItems": 1,
                        "maxItems": 2048,
                    ],
                ],
            ],
            "model": ["type": "string", "description": "all-mpnet-base-v2 or all-MiniLM-L6-v2 (any other name: the default)"],
            "encoding_format": ["enum": ["float", "base64"]],
            "dimensions": ["type": "integer", "description": "Only the model's own size is accepted"],
            "user": ["type": "string"],
        ],
    ]

    static let response: JSON = [
        "object": "list", "data": [["object": "embedding", "index": 0, "embedding": [0.0123, -0.0456]]], "model": "all-mpnet-base-v2",
        "usage": ["prompt_tokens": 5, "total_tokens": 5],
    ]

    static let moderationRequest: JSON = [
        "type": "object", "required": ["input"],
        "properties": [
            "input": ["anyOf": [["type": "string"], ["type": "array", "items": ["type": "string"], "minItems": 1, "maxItems": 2048]]],
            "model": ["type": "string"],
        ],
    ]

    static let moderationResponse: JSON = [
        "id": "modr-1", "model": "text-moderation-001",
        "results": [["flagged": false, "categories": ["violence": false], "category_scores": ["violence": 0.21]]],
    ]

    static let ollamaEmbed: JSON = [
        "type": "object", "required": ["model", "input"],
        "properties": [
            "model": ["type": "string"],
            "input": [
                "anyOf": [
                    ["type": "string", "minLength": 1],
                    ["type": "array", "items": ["type": "string", "minLength": 1], "minItems": 1, "maxItems": 2048],
                ]
            ],
            "truncate": ["type": "boolean"], "keep_alive": ["anyOf": [["type": "string"], ["type": "number"]]], "options": ["type": "object"],
        ],
    ]

    static let ollamaEmbeddings: JSON = [
        "type": "object", "required": ["model", "prompt"], "properties": ["model": ["type": "string"], "prompt": ["type": "string"]],
    ]
}
