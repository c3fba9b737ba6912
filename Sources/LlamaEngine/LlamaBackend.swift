import CLlama
import Foundation
import Logging

/// Process-wide llama.cpp initialisation: the backend is initialised once, and llama.cpp's own
/// log lines are routed into swift-log (label `llama.cpp`) instead of stderr.
enum LlamaBackend {
    /// Runs `llama_backend_init` exactly once, on first use.
    static let initialize: Void = {
        llama_log_set(forwardLog, nil)
        llama_backend_init()
    }()

    private static let logger = Logger(label: "llama.cpp")

    /// llama.cpp logs model metadata and timings, never prompt text; its chatter goes to `debug`.
    private static let forwardLog: @convention(c) (ggml_log_level, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        level,
        text,
        _ in
        guard let text else { return }
        let line = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !line.isEmpty, line != "." else { return }
        switch level {
        case GGML_LOG_LEVEL_ERROR: LlamaBackend.logger.error("\(line)")
        case GGML_LOG_LEVEL_WARN: LlamaBackend.logger.warning("\(line)")
        default: LlamaBackend.logger.debug("\(line)")
        }
    }
}
