import OrderedJSON

/// JSON Schemas of Anthropic's Messages API for the OpenAPI document: the JSON-valued fields
/// ``AnthropicRequest`` reads (it records the rest; others are accepted and ignored), its error
/// envelope and its streamed events.
enum AnthropicSchemas {
    private static let block: JSON = [
        "type": "object", "required": ["type"],
        "properties": [
            "type": ["enum": ["text", "tool_use", "tool_result", "thinking", "redacted_thinking", "image", "document"]],
            "text": ["type": "string"], "id": ["type": "string"], "name": ["type": "string"], "input": ["type": "object"],
            "tool_use_id": ["type": "string"], "content": ["anyOf": [["type": "string"], ["type": "array", "items": ["type": "object"]]]],
            "is_error": ["type": "boolean"], "thinking": ["type": "string"],
        ],
    ]

    private static let message: JSON = [
        "type": "object", "required": ["role", "content"],
        "properties": [
            "role": ["enum": ["user", "assistant"]],
            "content": ["anyOf": [["type": "string"], ["type": "array", "items": block]]],
        ],
    ]

    /// `output_config.format` (and the beta's `output_format`).
    private static let format: JSON = [
        "type": "object", "required": ["type", "schema"],
        "properties": ["type": ["enum": ["json_schema"]], "schema": ["type": "object"]],
    ]

    /// The documented fields whose schemas are given, not recorded: JSON-valued ones.
    static var fields: [(String, JSON)] {
        [
            ("model", ["type": "string"]),
            ("messages", ["type": "array", "items": message, "minItems": 1]),
            ("system", ["anyOf": [["type": "string"], ["type": "array", "items": ["type": "object"]]]]),
            (
                "tools",
                [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["name"],
                        "properties": ["name": ["type": "string"], "description": ["type": "string"], "input_schema": ["type": "object"]],
                    ],
                ]
            ),
            (
                "tool_choice",
                [
                    "type": "object", "required": ["type"],
                    "properties": [
                        "type": ["enum": ["auto", "any", "tool", "none"]], "name": ["type": "string"],
                        "disable_parallel_tool_use": ["type": "boolean"],
                    ],
                ]
            ),
            (
                "thinking",
                ["type": "object", "properties": ["type": ["enum": ["enabled", "adaptive", "disabled"]], "budget_tokens": ["type": "integer"]]]
            ),
            (
                "output_config",
                [
                    "type": "object",
                    "properties": [
                        "format": format,
                        "effort": ["enum": ["low", "medium", "high", "xhigh", "max"]],
                    ],
                ]
            ),
            ("output_format", format),
        ]
    }

    /// `{"type": "error", "error": {"type", "message"}}`.
    static let error: JSON = [
        "type": "object", "required": ["type", "error"],
        "properties": [
            "type": ["const": "error"],
            "error": [
                "type": "object", "required": ["type", "message"], "properties": ["type": ["type": "string"], "message": ["type": "string"]],
            ],
        ],
    ]

    /// One streamed event: `event: <type>` and its JSON `data`.
    static let event: JSON = [
        "type": "object", "required": ["data"],
        "properties": [
            "event": ["type": "string"],
            "data": ["type": "string", "contentMediaType": "application/json", "contentSchema": ["type": "object", "required": ["type"]]],
        ],
        "description": "With \"stream\": true: Anthropic's events (message_start, content_block_start, content_block_delta, …, message_stop).",
    ]
}
