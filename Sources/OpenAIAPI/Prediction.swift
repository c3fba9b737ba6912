import OrderedJSON

/// OpenAI's `prediction` field (Predicted Outputs): `{"type": "content", "content": …}` with the
/// content a string or a list of text parts, joined.
struct Prediction: Decodable, Sendable {
    var content: String

    private enum CodingKeys: String, CodingKey { case type, content }

    private struct Part: Decodable {
        var type: String
        var text: String
    }

    init(from decoder: any Decoder) throws {
        if let recorder = decoder as? any SchemaRecording {
            let part: JSON = [
                "type": "object", "properties": ["type": ["enum": ["text"]], "text": ["type": "string"]], "required": ["type", "text"],
            ]
            recorder.describe([
                "type": "object",
                "properties": [
                    "type": ["enum": ["content"]],
                    "content": ["anyOf": [["type": "string"], ["type": "array", "items": part]]],
                ],
                "required": ["type", "content"],
            ])
            content = ""
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        guard type == "content" else {
            throw OpenAIError.invalidValue("prediction.type", "only 'content' is supported, but got '\(type)'.")
        }
        if let text = try? container.decode(String.self, forKey: .content) {
            content = text
        } else if let parts = try? container.decode([Part].self, forKey: .content) {
            if let part = parts.first(where: { $0.type != "text" }) {
                throw OpenAIError.invalidValue("prediction.content", "parts must be of type 'text', but got '\(part.type)'.")
            }
            content = parts.map(\.text).joined()
        } else {
            throw OpenAIError.invalidType("prediction.content", expected: "a string or an array of text parts")
        }
    }
}
