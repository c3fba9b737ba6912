import CWhisper

/// Whisper's languages, by ISO 639-1 code.
public enum SpeechLanguage {
    /// `english` for `en`; `nil` for a code Whisper does not know.
    public static func name(of code: String) -> String? {
        let id = whisper_lang_id(code)
        guard id >= 0, let name = whisper_lang_str_full(id) else { return nil }
        return String(cString: name)
    }
}
