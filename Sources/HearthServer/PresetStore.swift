import Foundation
import OpenAIAPI
import Yams

/// Sampler presets: `<directory>/<name>.yaml` files of generation fields, named by a request's
/// `preset`. Unlike text-generation-webui, fields the request sends itself win over the preset.
struct PresetStore: Sendable {
    let directory: String

    /// The request's JSON body with the named preset's fields filled in under it; the body
    /// unchanged when it names no preset.
    /// - Throws: 400 naming `preset` when the file is missing or is not a mapping.
    func applyPreset(to body: Data) throws -> Data {
        guard var object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
            let name = object["preset"] as? String, !name.isEmpty, name != "None"
        else { return body }
        guard !name.contains("/"), !name.hasPrefix("."),
            let text = try? String(contentsOfFile: "\(directory)/\(name).yaml", encoding: .utf8)
        else {
            throw OpenAIError.invalidValue("preset", "there is no preset named '\(name)' in \(directory)/.")
        }
        guard let preset = (try? Yams.load(yaml: text)) as? [String: Any], JSONSerialization.isValidJSONObject(preset) else {
            throw OpenAIError.invalidValue("preset", "the preset '\(name)' is not a mapping of generation fields.")
        }
        for (key, value) in preset where object[key] == nil { object[key] = value }
        return try JSONSerialization.data(withJSONObject: object)
    }
}
