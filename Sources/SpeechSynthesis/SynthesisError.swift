/// Why speech could not be synthesized.
public enum SynthesisError: Error, Equatable, CustomStringConvertible {
    /// flite failed on the text.
    case failed
    /// The encoder of the format could not start or failed.
    case encoderFailed(SpeechFormat)
    /// The format needs ffmpeg, which is not installed.
    case unavailable(SpeechFormat)

    public var description: String {
        switch self {
        case .failed: "Speech synthesis failed on this text."
        case .encoderFailed(let format): "The \(format.rawValue) encoder failed."
        case .unavailable(let format): "\(format.rawValue) is encoded by ffmpeg, which is not installed."
        }
    }
}
