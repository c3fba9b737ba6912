import OrderedJSON

/// A model as `GET /v1/models` lists it.
public struct ModelObject: JSONRepresentable, Equatable {
    public var id: String
    /// Unix time of the model file's last modification.
    public var created: Int
    public var ownedBy: String
    /// An embedding model's precision (`exact` or `fast`), Hearth's addition; nil for others.
    public var precision: String?

    public init(id: String, created: Int, ownedBy: String = "user", precision: String? = nil) {
        self.id = id
        self.created = created
        self.ownedBy = ownedBy
        self.precision = precision
    }

    public var json: JSON {
        var fields: [(String, JSON)] = [
            ("id", .string(id)), ("object", .string("model")), ("created", .int(created)), ("owned_by", .string(ownedBy)),
        ]
        if let precision { fields.append(("precision", .string(precision))) }
        return .object(fields)
    }
}

/// The body of `GET /v1/models`.
public struct ModelList: JSONRepresentable {
    public var data: [ModelObject]

    public init(data: [ModelObject]) { self.data = data }

    public var json: JSON { .object([("object", .string("list")), ("data", .array(data.map(\.json)))]) }
}
