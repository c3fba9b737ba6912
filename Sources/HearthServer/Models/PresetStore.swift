import Foundation
import OpenAIAPI
import Prompting
import Yams

/// Sampler presets: `<directory>/<name>.yaml` files of sampler fields, named by a request's
/// `preset`. Read through the sampler table (same names, types and ranges as requests) and kept
/// until the file changes. Unlike text-generation-webui, fields the request sends itself win
/// over the preset.
struct PresetStore: Sendable {
    let directory: String

    private static let cache = FileCache<SamplerSettings>()

    /// The names a request's `preset` may take, sorted.
    func names() -> [String] { PromptLibrary.names(in: directory, extensions: ["yaml"]) }

    /// The request's sampler fields over the preset it names.
    /// - Throws: 400 naming `preset` when the file is missing or holds something other than
    ///   sampler fields.
    func apply(to options: GenerationOptions) throws(OpenAIError) -> GenerationOptions {
        guard let name = options.preset else { return options }
        guard !name.contains("/"), !name.contains("\\"), !name.hasPrefix(".") else { throw Self.unknown(name, directory) }
        let path = "\(directory)/\(name).yaml"
        let preset = try Self.cache.value(at: path) { () throws(OpenAIError) in try Self.read(path, name: name, directory: directory) }
        var options = options
        options.sampling = options.sampling.over(preset)
        return options
    }

    private static func read(_ path: String, name: String, directory: String) throws(OpenAIError) -> SamplerSettings {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw unknown(name, directory) }
        guard let node = try? Yams.compose(yaml: text), let mapping = node.mapping else {
            throw OpenAIError.invalidValue("preset", "the preset '\(name)' is not a mapping of sampler fields.")
        }
        var settings = SamplerSettings()
        for (key, value) in mapping {
            guard let key = key.string else { continue }
            if SamplerField.ignoredNames.contains(key) { continue }
            guard let field = SamplerField(rawValue: key) else {
                throw OpenAIError.invalidValue("preset", "the preset '\(name)' sets '\(key)', which is not a sampler field.")
            }
            let text = value.sequence.map { $0.compactMap(\.string).joined(separator: "\n") } ?? value.string ?? ""
            do {
                try settings.set(field, field.parse(text))
            } catch {
                throw OpenAIError.invalidValue("preset", "the preset '\(name)' has a bad '\(key)': \(error.message)")
            }
        }
        return settings
    }

    private static func unknown(_ name: String, _ directory: String) -> OpenAIError {
        .invalidValue("preset", "there is no preset named '\(name)' in \(directory)/.")
    }
}
