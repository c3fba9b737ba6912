import OpenAIAPI
import OrderedJSON

/// Ollama's replies for the OpenAPI document (examples of the replies and listings) and its
/// error envelope; the request schemas are recorded from the request types.
enum OllamaSchemas {
    private static let details: JSON = [
        "parent_model": "", "format": "gguf", "family": "qwen2", "families": ["qwen2"], "parameter_size": "494.03M",
        "quantization_level": "Q4_K_M",
    ]
    private static let listed: JSON = [
        "name": "qwen2.5-coder-0.5b-instruct-q4_k_m:latest", "model": "qwen2.5-coder-0.5b-instruct-q4_k_m:latest",
        "modified_at": "2026-11-30T10:00:00.000Z", "size": 491_400_064, "digest": "95ae3ba0b880c6a5", "details": details,
    ]

    static let chatReply: JSON = [
        "model": "qwen2.5-coder-0.5b-instruct-q4_k_m", "created_at": "2026-11-30T10:00:00.000Z",
        "message": [
            "role": "assistant", "content": "Hi!", "thinking": "The user greets.", "tool_calls": [["function": ["name": "f", "arguments": [:]]]],
        ],
        "done": true, "done_reason": "stop", "total_duration": 1, "load_duration": 0, "prompt_eval_count": 1, "prompt_eval_duration": 1,
        "eval_count": 1, "eval_duration": 1,
    ]
    static let generateReply: JSON = [
        "model": "qwen2.5-coder-0.5b-instruct-q4_k_m", "created_at": "2026-11-30T10:00:00.000Z", "response": "Hi!", "done": true,
        "done_reason": "stop", "total_duration": 1, "load_duration": 0, "prompt_eval_count": 1, "prompt_eval_duration": 1,
        "eval_count": 1, "eval_duration": 1,
    ]
    static let tags: JSON = ["models": [listed]]
    static let running: JSON = ["models": [listed]]
    static let shown: JSON = [
        "modelfile": "", "parameters": "", "template": "{{ messages }}", "details": details,
        "model_info": ["general.architecture": "qwen2", "qwen2.context_length": 32768], "capabilities": ["completion", "tools"],
        "modified_at": "2026-11-30T10:00:00.000Z",
    ]

    /// `{"error": "…"}`.
    static let error: JSON = ["type": "object", "required": ["error"], "properties": ["error": ["type": "string"]]]
}
