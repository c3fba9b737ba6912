/// Why speech could not be recognised.
public enum SpeechError: Error, Equatable, CustomStringConvertible {
    /// The model file could not be loaded.
    case modelNotLoaded(path: String)
    /// The bytes are not a WAV, MP3 or FLAC recording this build can decode.
    case notAudio
    /// A container Hearth reads only through ffmpeg, which is not installed.
    case needsFFmpeg(container: String)
    /// The recording is longer than the server accepts.
    case tooLong(maxSeconds: Double)
    case outOfMemory
    /// A language Whisper does not know, or one an English-only model cannot hear or write.
    case unsupportedLanguage(String)
    /// Translation asked of an English-only model.
    case translationUnsupported
    /// whisper.cpp failed (its return code).
    case failed(Int32)
    /// The caller went away and the transcription stopped.
    case cancelled

    public var description: String {
        switch self {
        case .modelNotLoaded(let path): "The Whisper model '\(path)' could not be loaded."
        case .notAudio: "The file is not audio this server can decode (WAV, MP3 or FLAC, and others when ffmpeg is installed)."
        case .needsFFmpeg(let container):
            "The file is \(container) audio, which this server reads only through ffmpeg, and ffmpeg is not installed "
                + "(WAV, MP3 and FLAC are read without it)."
        case .tooLong(let seconds): "The recording is longer than the \(Int(seconds)) seconds this server accepts."
        case .outOfMemory: "The recording is too large to decode."
        case .unsupportedLanguage(let language): "'\(language)' is not a language this Whisper model transcribes."
        case .translationUnsupported: "This Whisper model is English-only: it cannot translate."
        case .failed(let code): "Whisper failed (code \(code))."
        case .cancelled: "The transcription was cancelled."
        }
    }
}
