import OrderedJSON

/// Examples of the embedding routes' replies for /openapi.json, and the schemas of the bodies
/// read as JSON by hand (moderations, Ollama's embedding routes); `/v1/embeddings` records its
/// schema from ``EmbeddingRequest``.
enum EmbeddingsSchemas {
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
