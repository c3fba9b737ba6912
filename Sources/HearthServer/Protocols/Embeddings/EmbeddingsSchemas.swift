import OrderedJSON

/// Examples of the embedding routes' replies for /openapi.json (their request schemas are
/// recorded from ``EmbeddingRequest``, ``ModerationRequest`` and Ollama's embedding bodies).
enum EmbeddingsSchemas {
    static let response: JSON = [
        "object": "list", "data": [["object": "embedding", "index": 0, "embedding": [0.0123, -0.0456]]], "model": "all-mpnet-base-v2",
        "usage": ["prompt_tokens": 5, "total_tokens": 5],
    ]

    static let moderationResponse: JSON = [
        "id": "modr-1", "model": "text-moderation-001",
        "results": [["flagged": false, "categories": ["violence": false], "category_scores": ["violence": 0.21]]],
    ]

}
