import Foundation
import HearthServer
import LlamaEngine
import Logging
import Prompting

/// Loads a model for the ``ModelRegistry``: the engine configured by the command line, with a
/// `model/load` request's overrides on top, built on a thread of its own (loading blocks for
/// seconds; the cooperative pool has one thread per core).
struct ModelLoader: Sendable {
    let options: ModelOptions
    let library: PromptLibrary
    let logger: Logger

    func configuration(_ overrides: LoadOverrides) -> EngineConfiguration {
        EngineConfiguration(
            contextLength: overrides.contextLength ?? options.ctxSize,
            parallel: overrides.parallel ?? options.parallel,
            batchSize: overrides.batchSize ?? options.batchSize,
            microBatchSize: options.ubatchSize,
            threads: overrides.threads ?? options.threads,
            maxQueue: options.maxQueue,
            promptCacheBytes: options.cacheRAM << 20
        )
    }

    func load(_ entry: ModelCatalog.Entry, _ overrides: LoadOverrides) async throws -> ServedModel {
        let configuration = configuration(overrides)
        logger.info("Loading model", metadata: ["model": "\(entry.id)", "model.path": "\(entry.path)"])
        let engineLogger = Logger(label: "hearth.engine")
        let engine: LlamaEngine = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    with: Result { () throws(LlamaError) in try LlamaEngine(modelPath: entry.path, configuration: configuration, logger: engineLogger)
                    }
                )
            }
            thread.name = "hearth-load"
            thread.start()
        }
        var template: (source: String, origin: String)?
        if let source = overrides.instructionTemplateSource {
            template = (source, "instruction_template_str of model/load")
        } else if let name = overrides.instructionTemplate {
            template = (try library.instructionTemplate(named: name), "instruction_template of model/load: \(name)")
        }
        let served = try ServedModel(path: entry.path, id: entry.id, engine: engine, library: library, template: template)
        logger.info("Model ready", metadata: ["model": "\(entry.id)", "template.origin": "\(served.prompts.defaultTemplateOrigin)"])
        return served
    }
}
