import OrderedJSON

/// A model as `GET /v1/models` lists it.
public struct ModelObject: JSONRepresentable, Equatable {
    public var id: String
    /// Unix time of the model file's last modification.
    public var created: Int
    public var ownedBy: String

    public init(id: String, created: Int, ownedBy: String = "user") {
        self.id = id
        self.created = created
        self.ownedBy = ownedBy
    }

    public var json: JSON {
        .object([("id", .string(id)), ("object", .string("model")), ("created", .int(created)), ("owned_by", .string(ownedBy))])
    }
}

/// The body of `GET /v1/models`.
public struct ModelList: JSONRepresentable {
    public var data: [ModelObject]

    public init(data: [ModelObject]) { self.data = data }

    public var json: JSON { .object([("object", .string("list")), ("data", .array(data.map(\.json)))]) }
}
