import ArgumentParser
import Foundation
import HearthServer
import Hummingbird
import LlamaEngine
import Logging
import OpenAIAPI
import Prompting
import ServiceLifecycle
import UnixSignals

/// `hearth`: serves a local GGUF model over the OpenAI API. Flags follow text-generation-webui.

@main
struct Hearth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth",
        abstract: "An offline, OpenAI-compatible server for local GGUF models (llama.cpp).",
        discussion: """
            Environment: OPENEDAI_PORT overrides --api-port; OPENEDAI_KEY_PATH and OPENEDAI_CERT_PATH \
            override --ssl-keyfile and --ssl-certfile; OPENEDAI_DEBUG=1 logs prompts and \
            completions (nothing a user wrote is logged otherwise).

            API generation defaults: every sampler field a request may send is also a flag that \
            sets its default, named with dashes (`--top-p 0.9` for top_p):
            \(SamplingOptions.helpText)
            """,
        version: """
            Hearth \(hearthServerVersion) (llama.cpp \(llamaVersion), built by llama-cpp-python 0.3.36\
            \(llamaPatches.isEmpty ? "" : " with " + llamaPatches.joined(separator: ", ")))
            """
    )

    @OptionGroup var server: ServerOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup(title: "API generation defaults") var sampling: SamplingOptions
    @OptionGroup(title: "Chat prompts") var prompting: PromptOptions

    /// Reads `settings.yaml` (or `--settings FILE`) and puts its options before the command
    /// line's, then runs as ArgumentParser would.
    static func main() async {
        MemoryRelease.configure()
        var arguments = Array(CommandLine.arguments.dropFirst())
        var warnings: [String] = []
        if let path = SettingsFile.path(in: arguments) {
            do {
                let settings = try SettingsFile(path: path, knownOptions: SettingsFile.options(inHelp: helpMessage(includeHidden: true)))
                arguments = settings.arguments + arguments
                warnings = settings.warnings
            } catch {
                exit(withError: ValidationError(error.description))
            }
        }
        let debug = ProcessInfo.processInfo.environment["OPENEDAI_DEBUG"] == "1"
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = debug ? .debug : .info
            return handler
        }
        for warning in warnings { Logger(label: "hearth").warning("\(warning)") }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let debug = environment["OPENEDAI_DEBUG"] == "1"
        let logger = Logger(label: "hearth")

        var configuration = try server.configuration(environment: environment)
        for host in [configuration.host] + configuration.extraHosts {
            try PortProbe.ensureFree(host: host, port: configuration.port)
        }
        // A public tunnel is refused before anything loads unless a key guards the server.
        var tunnel: URL?
        if server.publicAPI {
            guard !configuration.apiKeys.isEmpty else {
                throw TunnelService.Refusal(description: "--public-api publishes the server to the internet: set --api-key or --api-key-file too.")
            }
            tunnel = try TunnelService.locate(environment: environment)
        }
        let path = try model.resolvedPath()
        Self.logPlacement(model, logger: logger)
        let loader = ModelLoader(options: model, library: prompting.library, logger: logger)
        let entry =
            ModelCatalog.scan(directory: model.modelDirectory).entries.first { $0.path == path }
            ?? ModelCatalog.Entry(id: ServedModel.id(ofPath: path), path: path, modified: Int(Date().timeIntervalSince1970))
        var policy = ModelRegistry.Policy()
        policy.maxResident = model.modelsMax
        policy.idleTTL = model.modelTTL.map { .seconds($0) }
        policy.strictNames = model.strictModelNames
        // Nothing but the registry may hold the loaded model: an unloaded model is freed.
        let registry = ModelRegistry(
            directory: model.modelDirectory,
            initial: try await loader.load(entry, LoadOverrides()),
            entry: entry,
            policy: policy,
            logger: logger
        ) { try await loader.load($0, $1) }

        configuration.loras = try await Self.loras(model, registry: registry)
        configuration.logsUserText = debug
        configuration.promptLibrary = prompting.library
        configuration.embeddings = EmbeddingModels(
            directory: "\(model.modelDirectory)/embeddings",
            preferred: environment["OPENEDAI_EMBEDDING_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? model.embeddingModel,
            strictNames: model.strictModelNames,
            threads: model.threads ?? ProcessInfo.processInfo.activeProcessorCount,
            precision: model.embeddingPrecision
        )
        if FileManager.default.fileExists(atPath: model.whisperModelPath) {
            configuration.speech = SpeechModels(
                path: model.whisperModelPath,
                maxUploadBytes: model.maxAudioSize,
                maxSeconds: Double(model.maxAudioSeconds)
            )
        } else if model.whisperModel != nil {
            throw ValidationError("--whisper-model: no file at '\(model.whisperModelPath)'.")
        } else {
            logger.warning("No Whisper model: /v1/audio routes are not served", metadata: ["whisper.model": "\(model.whisperModelPath)"])
        }
        if !server.noUI {
            do {
                configuration.chatPage = try ChatPage(directory: InstallLayout.chatPageDirectory)
            } catch {
                // The API serves on; only the page is missing (a damaged install).
                logger.warning("The chat page is not served", metadata: ["reason": "\(error)", "hint": "--no-ui silences this"])
            }
        }
        configuration.samplerDefaults = sampling.settings
        let scheme = configuration.tls == nil ? "http" : "https"
        // One server per address (127.0.0.1 and ::1 with --api-enable-ipv6), the same routes.
        var servers: [any Service] = []
        for host in [configuration.host] + configuration.extraHosts {
            var bound = configuration
            bound.host = host
            let shown = host.contains(":") ? "[\(host)]" : host
            let servesPage = bound.chatPage != nil
            servers.append(
                try buildApplication(configuration: bound, models: registry, logger: logger) { port in
                    logger.info("Hearth is serving the OpenAI API", metadata: ["url": "\(scheme)://\(shown):\(port)/v1", "model": "\(entry.id)"])
                    if servesPage { logger.info("Chat page", metadata: ["url": "\(scheme)://\(shown):\(port)/"]) }
                }
            )
        }
        var tunnelServices: [any Service] = []
        if let tunnel {
            let local = configuration.host == "::1" || configuration.host == "::" ? "[::1]" : "127.0.0.1"
            tunnelServices.append(TunnelService(executable: tunnel, localURL: "\(scheme)://\(local):\(configuration.port)", logger: logger))
        }
        // The engine is registered last so that it shuts down first: SIGTERM ends every running
        // generation with its finish reason before the HTTP server stops.
        let services = ServiceGroup(
            configuration: .init(
                services: tunnelServices + servers + [
                    EngineService(models: registry, ttlCheck: .seconds(1), drainPeriod: .seconds(server.drainSeconds), logger: logger)
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await services.run()
        for id in await registry.loadedIDs { await registry.unload(id) }
        logger.info("Hearth stopped")
    }

    /// Says where the model's layers go; with RPC workers, warns that their protocol is open.
    private static func logPlacement(_ options: ModelOptions, logger: Logger) {
        let placement = options.placement
        guard placement.isRemote else {
            if options.gpuLayers != nil || options.tensorSplit != nil {
                logger.info("--gpu-layers and --tensor-split are ignored: there is no GPU and no --rpc worker")
            }
            return
        }
        logger.notice(
            "Model layers on llama.cpp RPC workers",
            metadata: [
                "rpc.workers": "\(placement.workers.map(\.description).joined(separator: ","))",
                "rpc.layers": "\(placement.remoteLayers.map(String.init) ?? "all")",
                "rpc.tensor_split": "\(options.tensorSplit ?? "by free memory")",
            ]
        )
        logger.warning(
            "llama.cpp's RPC protocol has no authentication and is not hardened: keep the workers on a private network",
            metadata: ["rpc.allow_public": "\(options.rpcAllowPublic)"]
        )
    }

    /// The LoRA folder, with `--lora`'s adapters loaded onto the startup model (a name that is not
    /// installed, or a file that is not an adapter for the model, stops the start).
    private static func loras(_ options: ModelOptions, registry: ModelRegistry) async throws -> LoraLibrary {
        let library = LoraLibrary(directory: options.loraDirectory)
        guard !options.lora.isEmpty else { return library }
        let catalog = library.catalog()
        let wanted = options.lora.compactMap { LoraLibrary.parse($0, catalog: catalog) }
        do {
            try await registry.withModel(nil) { served in
                _ = try served.adapterSet(wanted, catalog: catalog, param: "--lora")
                library.setActive(wanted, for: served.id)
            }
        } catch let error as OpenAIError {
            throw ValidationError(error.message + " (looked in '\(options.loraDirectory)')")
        }
        return library
    }
}
