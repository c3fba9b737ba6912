import Foundation
import HearthServer
import Hummingbird
import LlamaEngine
import Logging
import Prompting
import Synchronization

/// The real Hearth application with the real default model, listening on a free port of
/// 127.0.0.1; started once per test process and reached over real HTTP.
enum TestServer {
    static let modelPath: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf").path
    }()

    /// Everything every test-visible log line said, to check that no user text is logged.
    static let capturedLogs = LogCapture()

    /// Small limits so the error tests can reach them cheaply.
    static let contextLength = 1024
    static let maxBodyBytes = 256 * 1024

    static let engine: LlamaRuntime = {
        do {
            return try LlamaRuntime(
                modelPath: modelPath,
                configuration: EngineConfiguration(contextLength: contextLength, parallel: 2, batchSize: 512),
                logger: capturedLogs.logger(label: "test.engine")
            )
        } catch { fatalError("The default model is missing; run `make test` (\(error))") }
    }()

    private static let started = Task<Int, any Error> {
        var configuration = ServerConfiguration()
        configuration.maxBodyBytes = maxBodyBytes
        configuration.presetDirectory =
            URL(fileURLWithPath: modelPath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("presets").path
        return try await start(engine: engine, configuration: configuration)
    }

    /// The repository's own instruction templates, characters and model settings.
    static var promptLibrary: PromptLibrary {
        let root = URL(fileURLWithPath: modelPath).deletingLastPathComponent().deletingLastPathComponent()
        return PromptLibrary(
            instructionTemplateDirectory: root.appendingPathComponent("instruction-templates").path,
            characterDirectory: root.appendingPathComponent("characters").path,
            modelConfigDirectory: root.appendingPathComponent("model-config").path
        )
    }

    /// Starts another server on a free port for `engine`; it runs until the process exits.
    static func start(engine: any GenerationEngine, configuration: ServerConfiguration) async throws -> Int {
        try await serve(engine: engine, configuration: configuration).port
    }

    /// ``start(engine:configuration:)``, with the registry the server serves from.
    static func serve(engine: any GenerationEngine, configuration: ServerConfiguration) async throws -> (port: Int, models: ModelRegistry) {
        let logger = capturedLogs.logger(label: "test.server")
        let models = ModelRegistry(serving: try ServedModel(path: modelPath, engine: engine, library: promptLibrary), logger: logger)
        var configuration = configuration
        configuration.port = 0
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = try buildApplication(configuration: configuration, models: models, logger: logger) { port in continuation.yield(port) }
        Task.detached { try await app.run() }
        for await port in ports { return (port, models) }
        throw CancellationError()
    }

    /// A client of the running server.
    static func client() async throws -> TestHTTPClient {
        TestHTTPClient(port: try await started.value)
    }

    /// Waits until the engine has no running or waiting generation; false after `seconds`.
    static func engineBecomesIdle(within seconds: Double = 30) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if engine.activeGenerations == 0 { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

/// A swift-log handler that keeps every line (message and metadata) in memory, at trace level.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    func logger(label: String) -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append("\(event.level) \(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 })")
        }
    }
}

/// JSON text of a request body.
func json(_ object: [String: Any]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}
