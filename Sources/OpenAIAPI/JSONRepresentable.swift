import OrderedJSON

/// A response object that renders itself as JSON, members in OpenAI's order (`id`, `object`,
/// `created`, `model`, `choices`, `usage`).
public protocol JSONRepresentable: Sendable {
    var json: JSON { get }
}

extension JSONRepresentable {
    /// The compact JSON text of this value.
    public var jsonText: String { json.serialized }
}
