import OpenAIAPI
import OrderedJSON

/// A model as the old engines API (`openai<0.28`'s `Engine`) shows it.
struct EngineObject: JSONRepresentable {
    var id: String
    var created: Int
    /// Loaded, so a request naming it starts at once.
    var ready: Bool

    var json: JSON {
        .object([("id", .string(id)), ("object", "engine"), ("created", .int(created)), ("owner", "user"), ("ready", .bool(ready))])
    }
}

/// The body of `GET /v1/engines`.
struct EngineList: JSONRepresentable {
    var data: [EngineObject]

    var json: JSON { .object([("object", "list"), ("data", .array(data.map(\.json)))]) }
}
