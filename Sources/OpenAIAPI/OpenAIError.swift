import OrderedJSON

/// An error a client can cause, rendered as OpenAI's envelope
/// `{"error":{"message","type","param","code"}}` with an HTTP status.
///
/// Every failure that reaches a client goes through this type, so the wire shape is the same for
/// validation errors, unknown routes, oversized bodies and engine failures. Messages never carry
/// prompt text or internal detail.
public struct OpenAIError: Error, Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// A human-readable message that names the problem.
    public var message: String
    /// OpenAI's error type, e.g. `invalid_request_error`.
    public var type: String
    /// The request field at fault, in OpenAI's notation (`messages[0].content`), if any.
    public var param: String?
    /// A machine-readable code, e.g. `context_length_exceeded`, if any.
    public var code: String?
    /// Seconds a client should wait before trying again (sent as `Retry-After`), if any.
    public var retryAfterSeconds: Int?

    public init(status: Int, message: String, type: String, param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    /// 400: the request is malformed or a value is out of range.
    public static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> Self {
        .init(status: 400, message: message, type: "invalid_request_error", param: param, code: code)
    }

    /// 400: a required field is absent.
    public static func missingParameter(_ param: String) -> Self {
        .invalidRequest("Missing required parameter: '\(param)'.", param: param, code: "missing_required_parameter")
    }

    /// 400: a field has the wrong JSON type.
    public static func invalidType(_ param: String, expected: String) -> Self {
        .invalidRequest("Invalid type for '\(param)': expected \(expected).", param: param, code: "invalid_type")
    }

    /// 400: a field has a value outside its allowed range or set.
    public static func invalidValue(_ param: String, _ explanation: String) -> Self {
        .invalidRequest("Invalid '\(param)': \(explanation)", param: param, code: "invalid_value")
    }

    /// 400: the body is not JSON.
    public static let malformedJSON = invalidRequest(
        "We could not parse the JSON body of your request. The API expects a JSON object as the request body."
    )

    /// 400: the body is not JSON, with where and why (no text of the body is quoted but a
    /// repeated key).
    public static func malformedJSON(_ problem: JSONParseError) -> Self {
        invalidRequest(
            "We could not parse the JSON body of your request (\(problem)). The API expects a JSON object as the request body."
        )
    }

    /// 400: the prompt (plus the requested completion) does not fit the model's context window.
    public static func contextLengthExceeded(promptTokens: Int, contextLength: Int, param: String) -> Self {
        .invalidRequest(
            "This model's maximum context length is \(contextLength) tokens. However, your prompt has \(promptTokens) tokens. Please reduce the length of the prompt.",
            param: param,
            code: "context_length_exceeded"
        )
    }

    /// 404: no such model.
    public static func modelNotFound(_ id: String) -> Self {
        .init(
            status: 404,
            message: "The model '\(id)' does not exist or you do not have access to it.",
            type: "invalid_request_error",
            param: "model",
            code: "model_not_found"
        )
    }

    /// 503: the server is draining before it stops (`--drain-seconds`); nothing was done, so
    /// the request can be sent again, and a load balancer retries it on another replica.
    public static let draining = OpenAIError(
        status: 503,
        message: "The server is shutting down and takes no new requests; send the request again (to another replica).",
        type: "server_error",
        code: "server_shutting_down"
    )

    /// 404: no route for this method and path.
    public static func unknownRoute(method: String, path: String) -> Self {
        .init(status: 404, message: "Invalid URL (\(method) \(path))", type: "invalid_request_error")
    }

    /// 405: the route exists but not for this method.
    public static func methodNotAllowed(method: String, path: String) -> Self {
        .init(status: 405, message: "Method \(method) is not allowed for \(path).", type: "invalid_request_error")
    }

    /// 413: the body is larger than the server accepts.
    public static func bodyTooLarge(limit: Int) -> Self {
        .init(
            status: 413,
            message: "The request body is larger than the limit of \(limit) bytes.",
            type: "invalid_request_error",
            code: "request_too_large"
        )
    }

    /// 429: the server is at capacity; the client should retry after `retryAfter` seconds.
    public static func serverBusy(waiting: Int, retryAfter: Int) -> Self {
        var error = OpenAIError(
            status: 429,
            message:
                "The server is busy: every generation slot is in use and \(waiting) requests are already waiting. Retry after \(retryAfter) seconds.",
            type: "requests",
            code: "rate_limit_exceeded"
        )
        error.retryAfterSeconds = retryAfter
        return error
    }

    /// 503: the server cannot do this now (`code` says why); the client should retry after
    /// `retryAfter` seconds.
    public static func unavailable(_ message: String, code: String, retryAfter: Int) -> Self {
        var error = OpenAIError(status: 503, message: message, type: "server_error", code: code)
        error.retryAfterSeconds = retryAfter
        return error
    }

    /// 500: something failed inside the server. The message is deliberately generic.
    public static let internalError = OpenAIError(
        status: 500,
        message: "The server had an error while processing your request.",
        type: "server_error"
    )
}

extension OpenAIError: JSONRepresentable {
    /// `{"error":{"message","type","param","code"}}`, with explicit nulls as OpenAI sends them.
    public var json: JSON {
        .object([
            (
                "error",
                .object([
                    ("message", .string(message)), ("type", .string(type)), ("param", .optional(param)), ("code", .optional(code)),
                ])
            )
        ])
    }
}
