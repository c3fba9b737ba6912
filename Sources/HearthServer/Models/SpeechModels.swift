import Logging
import SpeechRecognition

/// The Whisper model of `/v1/audio/transcriptions` and `/v1/audio/translations`
/// (`--whisper-model`), loaded on first use and kept, and the limits on what it is sent.
public actor SpeechModels {
    public nonisolated let path: String
    /// Largest upload accepted, in bytes (OpenAI's limit: 25 MB).
    public nonisolated let maxUploadBytes: Int
    /// Longest recording accepted, in seconds.
    public nonisolated let maxSeconds: Double
    private var loaded: WhisperModel?

    public init(path: String, maxUploadBytes: Int = 25 << 20, maxSeconds: Double = 3600) {
        self.path = path
        self.maxUploadBytes = maxUploadBytes
        self.maxSeconds = maxSeconds
    }

    /// The model, loaded now if it was not.
    func model(logger: Logger) throws(SpeechError) -> WhisperModel {
        if let loaded { return loaded }
        let model = try WhisperModel(path: path)
        logger.info("Whisper model loaded", metadata: ["whisper.model": "\(path)", "whisper.multilingual": "\(model.isMultilingual)"])
        loaded = model
        return model
    }
}
