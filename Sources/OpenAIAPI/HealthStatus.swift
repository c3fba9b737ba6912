import OrderedJSON

/// The answer of `GET /health` and `GET /v1/internal/health`: `{"status": "ok"}` while the
/// server takes requests; `{"status": "error", "message": …}` (with 503) when the default model
/// is gone because a `model/load` failed and the previous model could not be loaded back, or
/// an RPC worker holding a model's layers cannot be reached;
/// `{"status": "draining"}` (with 503) once SIGTERM has arrived and running generations finish
/// (`--drain-seconds`), so that a load balancer sends new requests elsewhere.
public struct HealthStatus: JSONRepresentable {
    /// Why the server cannot serve, or nil when it can.
    public var problem: String?
    /// The server is shutting down and takes no new requests.
    public var draining: Bool

    public init(problem: String? = nil, draining: Bool = false) {
        self.problem = problem
        self.draining = draining
    }

    public var json: JSON {
        if draining { return .object([("status", .string("draining"))]) }
        guard let problem else { return .object([("status", .string("ok"))]) }
        return .object([("status", .string("error")), ("message", .string(problem))])
    }
}
