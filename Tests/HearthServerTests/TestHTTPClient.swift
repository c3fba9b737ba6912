import Foundation
import LoopbackHTTP

/// Async access to the loopback client for tests: every blocking call runs on its own thread,
/// never on Swift's cooperative pool (which has only as many threads as cores).
struct TestHTTPClient: Sendable {
    typealias Response = LoopbackHTTPClient.Response

    let client: LoopbackHTTPClient

    init(port: Int) { client = LoopbackHTTPClient(port: port) }

    func request(_ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) async throws -> Response {
        try await onThread { try client.request(method, path, body: body, headers: headers) }
    }

    @discardableResult
    func stream(_ path: String, body: String, onEvent: @escaping @Sendable (String) -> Bool) async throws -> Int {
        try await onThread { try client.stream(path, body: body, onEvent: onEvent) }
    }

    func sendAndHangUp(_ method: String, _ path: String, body: String) async throws {
        try await onThread { try client.sendAndHangUp(method, path, body: body) }
    }

    private func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}

/// A response's `usage` as its integer counts (`prompt_tokens_details` and other objects left
/// out), nil when there is none.
func usageCounts(_ usage: Any?) -> [String: Int]? {
    (usage as? [String: Any]).map { $0.compactMapValues { $0 as? Int } }
}
