import OrderedJSON

/// One entry of a request's `lora` field, llama.cpp server's shape: `{"id": 0, "scale": 0.5}`
/// or `{"name": "style", "scale": 0.5}`. The list replaces the server's active adapters for
/// this request (adapters it does not name run at scale 0).
public struct AdapterChoice: Decodable, Sendable, Equatable {
    /// Which adapter: its index in `GET /v1/internal/lora/list` or its name there.
    public enum Reference: Sendable, Equatable {
        case id(Int)
        case name(String)
    }

    public var reference: Reference
    /// 1 when absent; 0 switches the adapter off.
    public var scale: Double

    public init(_ reference: Reference, scale: Double = 1) {
        self.reference = reference
        self.scale = scale
    }

    private enum CodingKeys: String, CodingKey { case id, name, scale }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let path = RequestDecoder.path(decoder.codingPath)
        let id = try container.decodeIfPresent(Int.self, forKey: .id)
        let name = try container.decodeIfPresent(String.self, forKey: .name)
        scale = try container.decodeIfPresent(Double.self, forKey: .scale) ?? 1
        if decoder is any SchemaRecording {
            reference = .id(0)
            return
        }
        switch (id, name) {
        case (let id?, nil): reference = .id(id)
        case (nil, let name?): reference = .name(name)
        case (_?, _?): throw OpenAIError.invalidValue(path, "give the adapter's `id` or its `name`, not both.")
        case (nil, nil): throw OpenAIError.missingParameter("\(path).name")
        }
        guard scale.isFinite, (-10...10).contains(scale) else {
            throw OpenAIError.invalidValue("\(path).scale", "expected a number between -10 and 10, but got \(scale).")
        }
    }
}

/// The body of `POST /v1/internal/lora/load` (text-generation-webui): the adapters to apply,
/// each `NAME` or `NAME:SCALE`; they replace the adapters applied before.
public struct LoraLoadRequest: Decodable, Sendable {
    public var loraNames: [String]

    private enum CodingKeys: String, CodingKey { case loraNames = "lora_names" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        loraNames = try container.decode([String].self, forKey: .loraNames)
    }
}

/// `{"lora_names": […]}` (`GET /v1/internal/lora/list`).
public struct LoraNamesResponse: JSONRepresentable {
    public var names: [String]
    public init(names: [String]) { self.names = names }
    public var json: JSON { ["lora_names": .array(names.map(JSON.string))] }
}
