import OrderedJSON

/// The body of `POST /v1/internal/model/load` (text-generation-webui): the model to load, the
/// loader's arguments, and the instruction template to serve it with.
public struct ModelLoadRequest: Decodable, Sendable {
    public var modelName: String
    /// `args`, in order: loader fields (`ctx_size`, `threads`, …).
    public var arguments: [(String, JSON)]
    public var instructionTemplate: String?
    public var instructionTemplateSource: String?

    private enum CodingKeys: String, CodingKey {
        case modelName = "model_name"
        case arguments = "args"
        case instructionTemplate = "instruction_template"
        case instructionTemplateSource = "instruction_template_str"
        case settings
    }

    /// The original document's `settings` object (text-generation-webui later dropped it).
    private struct Settings: Decodable {
        var instructionTemplate: String?
        var instructionTemplateSource: String?
        private enum CodingKeys: String, CodingKey {
            case instructionTemplate = "instruction_template"
            case instructionTemplateSource = "instruction_template_str"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        modelName = try container.decode(String.self, forKey: .modelName)
        if let recorder = decoder as? any SchemaRecording {
            recorder.document([
                (
                    "args",
                    ["type": "object", "description": "loader fields: ctx_size, threads, batch_size, parallel; other loaders' fields are ignored"]
                )
            ])
        }
        switch try container.decodeIfPresent(JSON.self, forKey: .arguments) {
        case .object(let members)?: arguments = members
        case nil, .null?: arguments = []
        default: throw OpenAIError.invalidType("args", expected: "an object")
        }
        let settings = try container.decodeIfPresent(Settings.self, forKey: .settings)
        instructionTemplate = try container.decodeIfPresent(String.self, forKey: .instructionTemplate) ?? settings?.instructionTemplate
        instructionTemplateSource =
            try container.decodeIfPresent(String.self, forKey: .instructionTemplateSource) ?? settings?.instructionTemplateSource
    }
}

/// The body of `POST /v1/internal/model/unload`: none (every loaded model), or the model to
/// unload.
public struct ModelUnloadRequest: Decodable, Sendable {
    public var modelName: String?

    private enum CodingKeys: String, CodingKey { case modelName = "model_name" }

    public init(modelName: String? = nil) { self.modelName = modelName }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        modelName = try container.decodeIfPresent(String.self, forKey: .modelName)
    }
}

/// `{"model_name": …, "lora_names": […], "loader": "llama.cpp"}` (`GET /v1/internal/model/info`).
public struct ModelInfoResponse: JSONRepresentable {
    public var modelName: String
    /// The adapters applied to it (those requests without a `lora` field run with).
    public var loraNames: [String]
    public init(modelName: String, loraNames: [String] = []) {
        self.modelName = modelName
        self.loraNames = loraNames
    }
    public var json: JSON { ["model_name": .string(modelName), "lora_names": .array(loraNames.map(JSON.string)), "loader": "llama.cpp"] }
}

/// `{"model_names": […]}` (`GET /v1/internal/model/list`).
public struct ModelNamesResponse: JSONRepresentable {
    public var names: [String]
    public init(names: [String]) { self.names = names }
    public var json: JSON { ["model_names": .array(names.map(JSON.string))] }
}
