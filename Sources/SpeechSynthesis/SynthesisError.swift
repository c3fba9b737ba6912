/// Why speech could not be synthesized.
public enum SynthesisError: Error, Equatable, CustomStringConvertible {
    /// flite failed on the text.
    case failed
    /// The encoder of the format could not start or failed.
    case encoderFailed(SpeechFormat)

    public var description: String {
        switch self {
        case .failed: "Speech synthesis failed on this text."
        case .encoderFailed(let format): "The \(format.rawValue) encoder failed."
        }
    }
}
