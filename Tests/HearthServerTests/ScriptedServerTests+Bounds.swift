import Foundation
import HearthServer
import LoopbackHTTP
import Testing

/// The OpenAPI document and the validation agree on every bound: each field's documented
/// minimum and maximum is accepted on every route that documents it, and one past each is
/// refused with an error naming that field (in the route's own envelope and notation).
@Suite struct DocumentedBoundsTests {
    private static let port = Task<Int, any Error> {
        var configuration = ServerConfiguration()
        configuration.maxBodyBytes = TestServer.maxBodyBytes
        return try await TestServer.start(engine: ScriptedServerTests.engine, configuration: configuration)
    }

    private static var chat: [String: Any] { ["messages": [["role": "user", "content": "hi"]], "max_tokens": 2, "logprobs": true] }
    private static var completion: [String: Any] { ["prompt": "1,", "max_tokens": 2, "logprobs": 1, "echo": true] }

    /// A request each route serves, to which one bounded field at a time is added.
    private static var baseBodies: [String: [String: Any]] {
        [
            "/v1/chat/completions": chat,
            "/v1/internal/chat-prompt": chat,
            "/v1/engines/{model}/chat/completions": chat,
            "/v1/completions": completion,
            "/v1/engines/{model}/completions": completion,
            "/v1/engines/{model}/generate": ["prompt": "1,", "length": 2, "logprobs": 1, "echo": true],
            "/v1/internal/logits": ["prompt": "1,"],
            "/v1/messages": ["max_tokens": 2, "messages": [["role": "user", "content": "hi"]]],
            "/v1/messages/count_tokens": ["messages": [["role": "user", "content": "hi"]]],
            "/v1/responses": ["input": "hi", "max_output_tokens": 2, "store": false],
            "/api/chat": ["model": "m", "stream": false, "messages": [["role": "user", "content": "hi"]], "options": ["num_predict": 2]],
            "/api/generate": ["model": "m", "stream": false, "prompt": "hi", "options": ["num_predict": 2]],
            "/v1/images/generations": ["prompt": "a lighthouse"],
            "/v1/audio/speech": ["input": "Hi.", "voice": "alloy", "response_format": "pcm"],
        ]
    }

    /// A field with a documented bound: its path of property names, and the bound.
    struct Bound: CustomStringConvertible {
        var path: [String]
        var value: Double
        var isMaximum: Bool
        var isInteger: Bool
        var description: String { "\(path.joined(separator: ".")) \(isMaximum ? "<=" : ">=") \(value)" }
    }

    /// Every property with a `minimum` or `maximum`, nested objects (`options`) included.
    static func bounds(in schema: [String: Any], at path: [String] = []) -> [Bound] {
        guard let properties = schema["properties"] as? [String: Any] else { return [] }
        var found: [Bound] = []
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            guard let property = value as? [String: Any] else { continue }
            let integer = property["type"] as? String == "integer"
            if let minimum = property["minimum"] as? Double {
                found.append(Bound(path: path + [name], value: minimum, isMaximum: false, isInteger: integer))
            }
            if let maximum = property["maximum"] as? Double {
                found.append(Bound(path: path + [name], value: maximum, isMaximum: true, isInteger: integer))
            }
            if property["type"] as? String == "object" { found += bounds(in: property, at: path + [name]) }
        }
        return found
    }

    static func setting(_ body: [String: Any], _ path: [String], to value: Any) -> [String: Any] {
        var body = body
        if path.count == 1 {
            body[path[0]] = value
        } else {
            body[path[0]] = setting(body[path[0]] as? [String: Any] ?? [:], Array(path.dropFirst()), to: value)
        }
        return body
    }

    @Test func everyDocumentedBoundIsTheValidationsBound() async throws {
        let client = TestHTTPClient(port: try await Self.port.value)
        let text = try await client.request("GET", "/openapi.json").body
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var checked = 0
        for (path, methods) in paths.sorted(by: { $0.key < $1.key }) {
            guard let operation = methods["post"] as? [String: Any],
                let requestBody = operation["requestBody"] as? [String: Any],
                let content = requestBody["content"] as? [String: Any],
                let json = content["application/json"] as? [String: Any],
                let schema = json["schema"] as? [String: Any]
            else { continue }
            let bounds = Self.bounds(in: schema)
            if bounds.isEmpty { continue }
            guard let base = Self.baseBodies[path] else {
                Issue.record("\(path) documents bounds (\(bounds)) but the test has no request for it")
                continue
            }
            let route = path.replacingOccurrences(of: "{model}", with: "m")
            for bound in bounds {
                let name = bound.path.joined(separator: ".")
                let step = bound.isMaximum ? 1.0 : -1.0
                for (value, accepted) in [(bound.value, true), (bound.value + step, false)] {
                    let sent: Any = bound.isInteger ? Int(value) : value
                    let body = try JSONSerialization.data(withJSONObject: Self.setting(base, bound.path, to: sent))
                    let response = try await client.request("POST", route, body: String(decoding: body, as: UTF8.self))
                    let names = response.status == 400 && response.body.contains("'\(name)'")
                    if accepted {
                        #expect(!names, "\(path): \(name) = \(sent) is documented as allowed: \(response.body)")
                    } else {
                        #expect(names, "\(path): \(name) = \(sent) is past the documented bound: \(response.status) \(response.body)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked > 100)
    }
}
