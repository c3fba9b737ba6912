import CLlama
import Foundation
import Logging
import Synchronization

/// Process-wide llama.cpp initialisation: the backend is initialised once, and llama.cpp's own
/// log lines are routed into swift-log (label `llama.cpp`) instead of stderr.
/// The llama.cpp build Hearth is linked against, as it names itself.
public let llamaVersion: String = llama_version().map { String(cString: $0) } ?? "unknown"

/// Hearth's own patches the linked llama.cpp was built with (`patches/llama.cpp/`), as the
/// setup recorded them beside the libraries in `hearth-patches.txt`: read from the folder the
/// loaded `libllama` came from, so it names what actually runs.
public let llamaPatches: [String] = {
    guard let path = hearth_llama_library_path() else { return [] }
    let folder = URL(fileURLWithPath: String(cString: path)).resolvingSymlinksInPath().deletingLastPathComponent()
    guard let text = try? String(contentsOf: folder.appendingPathComponent("hearth-patches.txt"), encoding: .utf8) else {
        return []
    }
    return text.split(whereSeparator: \.isNewline).map(String.init)
}()

enum LlamaBackend {
    /// Runs `llama_backend_init` exactly once, on first use.
    static let initialize: Void = {
        llama_log_set(forwardLog, nil)
        llama_backend_init()
    }()

    private static let logger = Logger(label: "llama.cpp")

    /// Log text llama.cpp wrote on threads inside ``capturingLog(_:)``, by thread.
    private static let captures = Mutex<[UInt: String]>([:])

    /// Runs `body` and returns what llama.cpp logged on this thread meanwhile. Captured lines
    /// are not logged: they can quote user input (a grammar's source, for one).
    static func capturingLog<T>(_ body: () -> T) -> (result: T, log: String) {
        let thread = UInt(pthread_self())
        captures.withLock { $0[thread] = "" }
        let result = body()
        let log = captures.withLock { $0.removeValue(forKey: thread) } ?? ""
        return (result, log)
    }

    /// llama.cpp logs model metadata and timings, never prompt text; its chatter goes to `debug`.
    private static let forwardLog: @convention(c) (ggml_log_level, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        level,
        text,
        _ in
        guard let text else { return }
        let raw = String(cString: text)
        let thread = UInt(pthread_self())
        let captured = LlamaBackend.captures.withLock { captures in
            guard captures[thread] != nil else { return false }
            captures[thread]! += raw
            return true
        }
        guard !captured else { return }
        let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !line.isEmpty, line != "." else { return }
        switch level {
        case GGML_LOG_LEVEL_ERROR: LlamaBackend.logger.error("\(line)")
        case GGML_LOG_LEVEL_WARN: LlamaBackend.logger.warning("\(line)")
        default: LlamaBackend.logger.debug("\(line)")
        }
    }
}
