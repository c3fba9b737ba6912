import Foundation
import HearthServer
import LlamaEngine
import Logging
import OpenAIAPI
import Prompting

/// Loads a model for the ``ModelRegistry``: the engine configured by the command line, with a
/// `model/load` request's overrides on top, built on a thread of its own (loading blocks for
/// seconds; the cooperative pool has one thread per core).
struct ModelLoader: Sendable {
    let options: ModelOptions
    let library: PromptLibrary
    let logger: Logger

    func configuration(_ overrides: LoadOverrides) -> EngineConfiguration {
        let parallel = overrides.parallel ?? options.parallel
        return EngineConfiguration(
            contextLength: overrides.contextLength ?? options.ctxSize,
            parallel: parallel,
            batchSize: max(overrides.batchSize ?? options.batchSize, parallel),
            microBatchSize: options.ubatchSize,
            threads: overrides.threads ?? options.threads,
            maxQueue: options.maxQueue,
            promptCacheBytes: options.cacheRAM << 20,
            flashAttention: options.flashAttention.enabled,
            speculation: options.speculation,
            placement: options.placement,
            repackWeights: !options.noRepack
        )
    }

    /// The loader settings `config-user.yaml` gives a model (`ctx_size`, `threads`,
    /// `batch_size`, `parallel`), under what a `model/load` request sets.
    func configured(_ entry: ModelCatalog.Entry, _ overrides: LoadOverrides) -> LoadOverrides {
        let settings = library.configuredSettings(forModel: entry.id, userOnly: true)
        var merged = overrides
        // Bounded as the flags are: a number out of range in the file cannot crash a load.
        func number(_ key: String, _ range: ClosedRange<Int>) -> Int? {
            settings[key].flatMap(Int.init).map { min(max($0, range.lowerBound), range.upperBound) }
        }
        merged.contextLength = overrides.contextLength ?? number("ctx_size", 16...ModelOptions.largestContext)
        merged.threads = overrides.threads ?? number("threads", 1...1024)
        merged.parallel = overrides.parallel ?? number("parallel", 1...64)
        merged.batchSize = overrides.batchSize ?? number("batch_size", (merged.parallel ?? options.parallel)...ModelOptions.largestContext)
        return merged
    }

    func load(_ entry: ModelCatalog.Entry, _ overrides: LoadOverrides) async throws -> ServedModel {
        let configuration = configuration(configured(entry, overrides))
        logger.info("Loading model", metadata: ["model": "\(entry.id)", "model.path": "\(entry.path)"])
        let engineLogger = Logger(label: "hearth.engine")
        let engine: LlamaRuntime = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    with: Result { () throws(LlamaError) in
                        try LlamaRuntime(modelPath: entry.path, configuration: configuration, logger: engineLogger)
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
            do {
                template = (try library.instructionTemplate(named: name), "instruction_template of model/load: \(name)")
            } catch {
                engine.shutdown()
                throw OpenAIError.invalidValue("instruction_template", "\(error)")
            }
        }
        let served = try ServedModel(path: entry.path, id: entry.id, engine: engine, library: library, template: template)
        logger.info("Model ready", metadata: ["model": "\(entry.id)", "template.origin": "\(served.prompts.defaultTemplateOrigin)"])
        return served
    }
}
