import OrderedJSON

/// OpenAI's Responses API for the OpenAPI document: the JSON-valued fields ``ResponsesRequest``
/// reads (it records the rest; others are accepted and ignored) and examples of what it
/// answers.
enum ResponsesSchemas {
    private static let item: JSON = [
        "type": "object",
        "properties": [
            "type": ["enum": ["message", "function_call", "function_call_output", "reasoning"]],
            "role": ["enum": ["user", "system", "developer", "assistant"]],
            "content": ["anyOf": [["type": "string"], ["type": "array", "items": ["type": "object"]]]],
            "call_id": ["type": "string"], "name": ["type": "string"], "arguments": ["type": "string"], "output": ["type": "string"],
        ],
    ]

    /// The documented fields whose schemas are given, not recorded: JSON-valued ones.
    static let requestFields: [(String, JSON)] = [
        ("input", ["anyOf": [["type": "string"], ["type": "array", "items": item]]]), ("metadata", ["type": "object"]),
        (
            "tools",
            [
                "type": "array",
                "items": [
                    "type": "object", "required": ["type", "name"],
                    "properties": [
                        "type": ["const": "function"], "name": ["type": "string"], "description": ["type": "string"],
                        "parameters": ["type": "object"], "strict": ["type": "boolean"],
                    ],
                ],
            ]
        ),
        ("tool_choice", ["anyOf": [["enum": ["auto", "none", "required"]], ["type": "object"]]]),
        (
            "text",
            [
                "type": "object",
                "properties": ["format": ["type": "object", "properties": ["type": ["enum": ["text", "json_object", "json_schema"]]]]],
            ]
        ),
        ("reasoning", ["type": "object", "properties": ["effort": ["type": "string"]]]),
    ]

    private static let usage: JSON = [
        "input_tokens": 12, "input_tokens_details": ["cached_tokens": 0], "output_tokens": 5,
        "output_tokens_details": ["reasoning_tokens": 0], "total_tokens": 17,
    ]

    static let response: JSON = [
        "id": "resp_1", "object": "response", "created_at": 1_700_000_000, "status": "completed", "background": false, "error": .null,
        "incomplete_details": .null, "model": "qwen2.5-coder-0.5b-instruct-q4_k_m",
        "output": [
            ["id": "rs_1", "type": "reasoning", "summary": [], "content": [["type": "reasoning_text", "text": "The user greets."]]],
            [
                "id": "msg_1", "type": "message", "status": "completed", "role": "assistant",
                "content": [["type": "output_text", "text": "Hi!", "annotations": [], "logprobs": []]],
            ],
            ["id": "fc_1", "type": "function_call", "status": "completed", "call_id": "call_1", "name": "f", "arguments": "{}"],
        ],
        "instructions": .null, "max_output_tokens": .null, "metadata": [:], "parallel_tool_calls": true, "previous_response_id": .null,
        "reasoning": ["effort": .null, "summary": .null], "store": true, "temperature": 1.0, "text": ["format": ["type": "text"]],
        "tool_choice": "auto", "tools": [], "top_p": 1.0, "truncation": "disabled", "user": .null, "usage": usage,
    ]

    static let inputItems: JSON = [
        "object": "list", "data": [["id": "msg_1", "type": "message", "role": "user", "content": [["type": "input_text", "text": "Hi"]]]],
        "first_id": "msg_1", "last_id": "msg_1", "has_more": false,
    ]

    /// One streamed event: `event: <type>` and its JSON `data`, which repeats the type.
    static let event: JSON = [
        "type": "object", "required": ["data"],
        "properties": [
            "event": ["type": "string"],
            "data": [
                "type": "string", "contentMediaType": "application/json",
                "contentSchema": ["type": "object", "required": ["type"]],
            ],
        ],
        "description": "With \"stream\": true: typed events (response.created, …, response.completed), each with its sequence_number.",
    ]
}
