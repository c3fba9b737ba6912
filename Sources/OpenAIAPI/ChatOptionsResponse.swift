import OrderedJSON

/// `GET /v1/internal/chat-options` (Hearth's own): the names a chat request's `mode`,
/// `character`, `instruction_template` and `preset` may take on this server. The chat page fills
/// its pickers from it; any client may.
public struct ChatOptionsResponse: JSONRepresentable {
    public var modes: [String]
    public var characters: [String]
    public var instructionTemplates: [String]
    public var presets: [String]

    public init(modes: [String], characters: [String], instructionTemplates: [String], presets: [String]) {
        self.modes = modes
        self.characters = characters
        self.instructionTemplates = instructionTemplates
        self.presets = presets
    }

    public var json: JSON {
        let list = { (names: [String]) in JSON.array(names.map(JSON.string)) }
        return [
            "modes": list(modes), "characters": list(characters), "instruction_templates": list(instructionTemplates),
            "presets": list(presets),
        ]
    }
}
