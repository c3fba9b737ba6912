/// A model as `GET /v1/models` lists it.
public struct ModelObject: Encodable, Sendable, Equatable {
    public var id: String
    /// Unix time of the model file's last modification.
    public var created: Int
    public var ownedBy: String

    public init(id: String, created: Int, ownedBy: String = "user") {
        self.id = id
        self.created = created
        self.ownedBy = ownedBy
    }

    private enum CodingKeys: String, CodingKey {
        case id, object, created
        case ownedBy = "owned_by"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("model", forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(ownedBy, forKey: .ownedBy)
    }
}

/// The body of `GET /v1/models`.
public struct ModelList: Encodable, Sendable {
    public var data: [ModelObject]

    public init(data: [ModelObject]) { self.data = data }

    private enum CodingKeys: String, CodingKey { case object, data }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("list", forKey: .object)
        try container.encode(data, forKey: .data)
    }
}
