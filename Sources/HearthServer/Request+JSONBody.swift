import Foundation
import Hummingbird
import OpenAIAPI

extension Request {
    /// Collects the body (at most `limit` bytes, else 413) and decodes it, turning every
    /// decoding failure into a 400 that names the field.
    mutating func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        let buffer = try await collectBody(upTo: limit)
        return try RequestDecoder().decode(T.self, from: Data(buffer.readableBytesView))
    }

    /// As ``decodeJSON(_:limit:)``, with the fields of the `preset` the body names filled in
    /// under the body's own.
    mutating func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int, presets: PresetStore) async throws -> T {
        let buffer = try await collectBody(upTo: limit)
        return try RequestDecoder().decode(T.self, from: presets.applyPreset(to: Data(buffer.readableBytesView)))
    }
}
