import Foundation
import Synchronization
import Testing

@testable import SpeechRecognition

/// whisper.cpp on the real tiny.en model (installed by the setup), on whisper.cpp's own
/// recording. Greedy: the same words every run.
@Suite(.serialized) struct WhisperModelTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let model: WhisperModel = {
        do {
            return try WhisperModel(path: root.appendingPathComponent("models/whisper/ggml-tiny.en.bin").path, turns: nil)
        } catch { fatalError("The Whisper model did not load: \(error)") }
    }()

    static func sample(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(".deps/whisper/samples/\(name)")))
    }

    @Test(arguments: ["jfk.wav", "jfk.mp3"])
    func aRecordingIsHeardWordForWord(name: String) async throws {
        let audio = try AudioSamples(decoding: try Self.sample(name), maxSeconds: 60)
        #expect(abs(audio.duration - 11) < 0.05)
        let transcript = try await Self.model.transcribe(audio, options: TranscriptionOptions())
        #expect(
            transcript.text.lowercased().filter { $0.isLetter || $0 == " " }
                == "and so my fellow americans ask not what your country can do for you ask what you can do for your country"
        )
        #expect(transcript.language == "en")
        #expect(transcript.segments.first?.start == 0)
        #expect(zip(transcript.segments, transcript.segments.dropFirst()).allSatisfy { $0.end <= $1.start })
    }

    @Test func segmentsAreReportedAsTheyAreFinished() async throws {
        let audio = try AudioSamples(decoding: try Self.sample("jfk.wav"), maxSeconds: 60)
        let seen = Seen()
        var options = TranscriptionOptions()
        options.onSegment = { seen.add($0) }
        let transcript = try await Self.model.transcribe(audio, options: options)
        #expect(seen.segments == transcript.segments)
    }

    @Test func whatIsNotAudioOrTooLongIsRefused() throws {
        #expect(throws: SpeechError.notAudio) { try AudioSamples(decoding: Array("plain text, not a recording".utf8), maxSeconds: 60) }
        #expect(throws: SpeechError.tooLong(maxSeconds: 5)) { try AudioSamples(decoding: try Self.sample("jfk.wav"), maxSeconds: 5) }
    }

    @Test func anEnglishOnlyModelRefusesOtherLanguagesAndTranslation() async throws {
        let audio = AudioSamples(samples: [Float](repeating: 0, count: 16_000))
        await #expect(throws: SpeechError.unsupportedLanguage("fr")) {
            try await Self.model.transcribe(audio, options: TranscriptionOptions(language: "fr"))
        }
        await #expect(throws: SpeechError.translationUnsupported) {
            try await Self.model.transcribe(audio, options: TranscriptionOptions(translate: true))
        }
    }

    @Test func compressionRatioIsZlibs() {
        #expect(Transcript.compressionRatio(of: "") == 0)
        #expect(Transcript.compressionRatio(of: String(repeating: "ask not ", count: 50)) > 10)
    }
}

/// Segments collected from whisper.cpp's thread.
private final class Seen: Sendable {
    private let storage = Mutex<[Transcript.Segment]>([])
    func add(_ segment: Transcript.Segment) { storage.withLock { $0.append(segment) } }
    var segments: [Transcript.Segment] { storage.withLock { $0 } }
}
