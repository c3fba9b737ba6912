import Foundation
import LlamaEngine
import Prompting
import StructuredOutput

/// The model the server generates with, and how it is named on the wire.
public struct ServedModel: Sendable {
    /// The id clients see: the GGUF file name without its extension.
    public let id: String
    /// Unix time of the file's last modification, for `created`.
    public let created: Int
    public let engine: any GenerationEngine
    /// Builds chat prompts with the model's template (parsed once, here).
    public let prompts: ChatPromptBuilder
    /// How the model writes tool calls, read from its chat template.
    public let toolFormat: ToolCallFormat
    /// The reasoning tags the model's template writes, if any: the model may open a reasoning
    /// block on its own, which a constrained reply must leave free.
    public let reasoningTags: (open: String, close: String)?

    /// Fails when the chosen default chat template does not parse.
    public init(path: String, engine: any GenerationEngine, library: PromptLibrary = PromptLibrary()) throws(PromptError) {
        let url = URL(fileURLWithPath: path)
        id = url.pathExtension.lowercased() == "gguf" ? url.deletingPathExtension().lastPathComponent : url.lastPathComponent
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? Date()
        created = Int(modified.timeIntervalSince1970)
        self.engine = engine
        let info = engine.modelInfo
        toolFormat = ToolCallFormat.detect(template: info.chatTemplate ?? "")
        reasoningTags = ReasoningSplitter.tags(inTemplate: info.chatTemplate ?? "")
        prompts = try ChatPromptBuilder(
            modelTemplate: info.chatTemplate,
            modelName: id,
            bosToken: info.bosText,
            eosToken: info.eosText,
            library: library
        )
    }

    /// Whether a client's model name means this model (`id` or `id.gguf`).
    public func answers(to name: String) -> Bool {
        name == id || name == id + ".gguf"
    }
}
