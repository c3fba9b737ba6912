import Hummingbird
import SpeechRecognition
import SpeechSynthesis

/// OpenAI's audio routes, `/v1/audio/*`: speech recognition (``SpeechModels``, when a Whisper
/// model is installed) and speech synthesis (``SpeechSynthesizer``). The handlers are in
/// `AudioController+Transcription.swift` and `AudioController+Speech.swift`.
struct AudioController: Sendable {
    /// The Whisper model and its limits; nil serves neither transcriptions nor translations.
    let recognition: SpeechModels?
    /// flite's voices; nil serves no speech.
    let synthesizer: SpeechSynthesizer?
    /// The largest JSON body (speech requests).
    let maxBodyBytes: Int

    init(configuration: ServerConfiguration) {
        recognition = configuration.speech
        synthesizer = configuration.synthesizer
        maxBodyBytes = configuration.maxBodyBytes
    }
}
