import Foundation
import LlamaEngine
import Prompting
import StructuredOutput
import Synchronization

private let servedModelSerial = Atomic<Int>(0)

/// The model the server generates with, and how it is named on the wire.
public struct ServedModel: Sendable {
    /// The id clients see: the GGUF file name without its extension (or the catalog's id).
    public let id: String
    /// Tells two loads of one model apart (a lease ends on the load it was taken from).
    public let serial: Int
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
    /// LoRA adapters loaded for this model (they are freed with it).
    public let adapters = AdapterCache()

    /// Fails when the chosen default chat template does not parse.
    /// - Parameter template: a chat template chosen at load time, over the model's own.
    public init(
        path: String,
        id: String? = nil,
        engine: any GenerationEngine,
        library: PromptLibrary = PromptLibrary(),
        template: (source: String, origin: String)? = nil
    ) throws(PromptError) {
        self.id = id ?? Self.id(ofPath: path)
        serial = servedModelSerial.add(1, ordering: .relaxed).newValue
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? Date()
        created = Int(modified.timeIntervalSince1970)
        self.engine = engine
        let info = engine.modelInfo
        toolFormat = ToolCallFormat.detect(template: info.chatTemplate ?? "")
        reasoningTags = ReasoningSplitter.tags(inTemplate: info.chatTemplate ?? "")
        prompts = try ChatPromptBuilder(
            modelTemplate: info.chatTemplate,
            modelName: self.id,
            bosToken: info.bosText,
            eosToken: info.eosText,
            library: library,
            override: template
        )
    }

    /// A model's id from its file: the name without `.gguf`.
    public static func id(ofPath path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.pathExtension.lowercased() == "gguf" ? url.deletingPathExtension().lastPathComponent : url.lastPathComponent
    }
}
