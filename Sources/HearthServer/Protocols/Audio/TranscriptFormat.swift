import Foundation
import OrderedJSON
import SpeechRecognition

/// A transcript written in each of OpenAI's `response_format`s. Pure: tested without a model.
enum TranscriptFormat {
    /// `json`: `{"text", "usage"}`.
    static func json(_ transcript: Transcript) -> JSON {
        ["text": .string(transcript.text), "usage": usage(transcript)]
    }

    /// `text`: the text and a newline.
    static func text(_ transcript: Transcript) -> String { transcript.text + "\n" }

    /// `verbose_json`: the task, language, duration, text and segments, as whisper-1 answers.
    static func verboseJSON(_ transcript: Transcript, task: String, temperature: Double) -> JSON {
        let segments: [JSON] = transcript.segments.enumerated().map { index, segment in
            [
                "id": .int(index), "seek": .int(Int((segment.start * 100).rounded(.down)) / 3000 * 3000),
                "start": .double(segment.start), "end": .double(segment.end), "text": .string(segment.text),
                "tokens": .array(segment.tokens.map { .int(Int($0)) }), "temperature": .double(temperature),
                "avg_logprob": .double(segment.averageLogprob), "compression_ratio": .double(Transcript.compressionRatio(of: segment.text)),
                "no_speech_prob": .double(segment.noSpeechProbability),
            ]
        }
        return [
            "task": .string(task), "language": .string(languageName(transcript.language)), "duration": .double(transcript.duration),
            "text": .string(transcript.text), "segments": .array(segments), "usage": usage(transcript),
        ]
    }

    /// SubRip: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`.
    static func srt(_ transcript: Transcript) -> String {
        cues(transcript).enumerated().map { index, cue in
            "\(index + 1)\n\(timestamp(cue.start, separator: ",")) --> \(timestamp(cue.end, separator: ","))\n\(cue.text)\n"
        }.joined(separator: "\n")
    }

    /// WebVTT: `WEBVTT`, then cues `HH:MM:SS.mmm --> HH:MM:SS.mmm`.
    static func vtt(_ transcript: Transcript) -> String {
        "WEBVTT\n\n"
            + cues(transcript).map { cue in
                "\(timestamp(cue.start, separator: ".")) --> \(timestamp(cue.end, separator: "."))\n\(cue.text)\n"
            }.joined(separator: "\n")
    }

    /// `12.34` seconds as `00:00:12,340`.
    static func timestamp(_ seconds: Double, separator: String) -> String {
        let milliseconds = Int((max(0, seconds) * 1000).rounded())
        let (hours, minutes, secs, millis) = (milliseconds / 3_600_000, milliseconds / 60_000 % 60, milliseconds / 1000 % 60, milliseconds % 1000)
        return String(format: "%02d:%02d:%02d%@%03d", hours, minutes, secs, separator, millis)
    }

    /// Segments with text, their text trimmed.
    private static func cues(_ transcript: Transcript) -> [Transcript.Segment] {
        transcript.segments.compactMap { segment in
            var cue = segment
            cue.text = segment.text.trimmingCharacters(in: .whitespaces)
            return cue.text.isEmpty ? nil : cue
        }
    }

    /// OpenAI bills Whisper by the second: `{"type": "duration", "seconds"}`.
    private static func usage(_ transcript: Transcript) -> JSON {
        ["type": "duration", "seconds": .int(Int(transcript.duration.rounded(.up)))]
    }

    /// verbose_json names the language in full (`english`), as whisper-1 does.
    static func languageName(_ code: String) -> String {
        SpeechLanguage.name(of: code) ?? code
    }
}
