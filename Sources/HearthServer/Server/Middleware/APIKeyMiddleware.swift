import HTTPTypes
import Hummingbird
import OpenAIAPI

/// Requires `Authorization: Bearer <key>` (or the key alone in one of the surface's own
/// headers, as Anthropic's `x-api-key: <key>`) with one of the server's keys on every request.
///
/// Keys are compared in constant time (every byte of every key is looked at, whatever matches),
/// so response timing tells nothing about a key.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: [[UInt8]]
    /// Headers that carry the key alone, read when `Authorization` has no bearer.
    let headers: [HTTPField.Name]

    init(keys: [String], headers: [HTTPField.Name] = []) {
        self.keys = keys.map { Array($0.utf8) }
        self.headers = headers
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let header = Array((request.headers[.authorization] ?? "").utf8)
        // The scheme's name is case-insensitive (RFC 9110, 11.1): `bearer k` is `Bearer k`.
        let prefix = Array("bearer ".utf8)
        let sent =
            header.count >= prefix.count && header.prefix(prefix.count).map({ $0 | 0x20 }) == prefix
            ? Array(header.dropFirst(prefix.count)) : Array((headers.lazy.compactMap { request.headers[$0] }.first ?? "").utf8)
        guard keys.reduce(false, { found, key in Self.equal(key, sent) || found }) else {
            throw OpenAIError(
                status: 401,
                message: "Incorrect API key provided. Send it as 'Authorization: Bearer <key>'.",
                type: "invalid_request_error",
                code: "invalid_api_key"
            )
        }
        return try await next(request, context)
    }

    /// Equality whose time depends only on the lengths.
    static func equal(_ key: [UInt8], _ sent: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: key.count ^ sent.count)
        for index in key.indices { difference |= key[index] ^ (index < sent.count ? sent[index] : 0) }
        return difference == 0 && !key.isEmpty
    }
}
