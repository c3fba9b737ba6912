import AudioConversion
import CSpeech
import Foundation
import LlamaEngine
import Synchronization

/// Text to speech with flite, encoded as it is synthesized. Synthesis runs on a thread of its
/// own as side work of ``ComputeTurns`` (a turn per quarter second of speech, so a chat stream
/// keeps decoding beside a long text), one synthesis at a time in the process.
public struct SpeechSynthesizer: Sendable {
    private let turns: ComputeTurns?

    /// - Parameter turns: the CPU turns to take part in (none: run at once).
    public init(turns: ComputeTurns? = .shared) {
        self.turns = turns
    }

    /// Speaks `text` with `voice` at `speed` (1 is the voice's own pace; 0.25 to 4), yielding
    /// the encoded stream in parts as they are ready. Ending the iteration (the client went
    /// away) stops the synthesis at its next part.
    public func speak(_ text: String, voice: SpeechVoice, speed: Double = 1, format: SpeechFormat)
        -> AsyncThrowingStream<[UInt8], any Error>
    {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let stopped = StopFlag()
        continuation.onTermination = { _ in stopped.stop() }
        let turns = turns
        let thread = Thread {
            do {
                try Self.synthesize(text, voice: voice, speed: speed, format: format, turns: turns, stopped: stopped) {
                    continuation.yield($0)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        thread.name = "hearth-speech"
        thread.start()
        return stream
    }

    /// Loads `voice` (once per process) and checks that `format` can be produced here: what can
    /// fail before the first part. (Hearth's own encoders start unless memory runs out; the
    /// synthesis reports that as an error of its stream.)
    public func prepare(voice: SpeechVoice, format: SpeechFormat) throws(SynthesisError) {
        guard format.isAvailable else { throw .unavailable(format) }
        guard hearth_voice_load(voice.name) != nil else { throw .failed }
    }

    /// Speaks `text` and returns the whole encoded stream.
    public func speakAll(_ text: String, voice: SpeechVoice, speed: Double = 1, format: SpeechFormat) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await part in speak(text, voice: voice, speed: speed, format: format) { bytes += part }
        return bytes
    }

    /// The synthesis itself, on the calling thread.
    private static func synthesize(
        _ text: String,
        voice: SpeechVoice,
        speed: Double,
        format: SpeechFormat,
        turns: ComputeTurns?,
        stopped: StopFlag,
        emit: @escaping @Sendable ([UInt8]) -> Void
    ) throws(SynthesisError) {
        guard let loaded = hearth_voice_load(voice.name) else { throw .failed }
        guard let encoder = hearth_speech_encoder_new(format.code) else { throw .encoderFailed(format) }
        defer { hearth_speech_encoder_free(encoder) }
        // Formats of ffmpeg's: Hearth's encoder gives it raw samples, and its output is the stream.
        var ffmpeg: FFmpeg.Encoder?
        if let arguments = format.ffmpegArguments {
            do {
                ffmpeg = try FFmpeg.Encoder(arguments: arguments, onOutput: emit)
            } catch {
                throw .unavailable(format)
            }
        }
        let session = Session(encoder: encoder, turns: turns, stopped: stopped, emit: ffmpeg.map { ffmpeg in { _ = ffmpeg.write($0) } } ?? emit)
        var ffmpegFinished = false
        // Stopped, or failed on the way: ffmpeg must not wait for more input.
        defer { if !ffmpegFinished { ffmpeg?.stop() } }
        session.beginTurn()
        let status = withExtendedLifetime(session) {
            hearth_speak(loaded, text, Float(speed), speechPart, Unmanaged.passUnretained(session).toOpaque())
        }
        session.endTurn()
        if session.failed { throw .encoderFailed(format) }
        if status == Int32(HEARTH_SPEECH_FAILED.rawValue) { throw .failed }
        if status == Int32(HEARTH_SPEECH_STOPPED.rawValue) || stopped.isStopped { return }
        var bytes: UnsafePointer<UInt8>?
        var size = 0
        guard hearth_speech_encoder_finish(encoder, &bytes, &size) == 0 else { throw .encoderFailed(format) }
        if let bytes, size > 0 { session.emit(Array(UnsafeBufferPointer(start: bytes, count: size))) }
        ffmpegFinished = true
        if let ffmpeg, !ffmpeg.finish() { throw .encoderFailed(format) }
    }
}

/// What one synthesis's C callback needs: its encoder, its side turn, and where parts go.
/// Touched only on the synthesis thread.
private final class Session {
    let encoder: OpaquePointer
    let turns: ComputeTurns?
    let stopped: StopFlag
    let emit: ([UInt8]) -> Void
    var turnStarted: ContinuousClock.Instant?
    var failed = false

    init(encoder: OpaquePointer, turns: ComputeTurns?, stopped: StopFlag, emit: @escaping ([UInt8]) -> Void) {
        self.encoder = encoder
        self.turns = turns
        self.stopped = stopped
        self.emit = emit
    }

    func beginTurn() { turnStarted = turns?.beginSide() }

    func endTurn() {
        if let turns, let turnStarted { turns.endSide(startedAt: turnStarted) }
        turnStarted = nil
    }

    /// Encodes and hands over one part; false stops the synthesis.
    func take(_ samples: UnsafePointer<Int16>, count: Int32) -> Bool {
        endTurn()
        defer { if !stopped.isStopped && !failed { beginTurn() } }
        var bytes: UnsafePointer<UInt8>?
        var size = 0
        guard hearth_speech_encoder_write(encoder, samples, count, &bytes, &size) == 0 else {
            failed = true
            return false
        }
        if let bytes, size > 0 { emit(Array(UnsafeBufferPointer(start: bytes, count: size))) }
        return !stopped.isStopped
    }
}

/// flite's part callback: the session is the context pointer.
private func speechPart(_ samples: UnsafePointer<Int16>?, _ count: Int32, _ context: UnsafeMutableRawPointer?) -> Int32 {
    guard let samples, let context else { return 1 }
    let session = Unmanaged<Session>.fromOpaque(context).takeUnretainedValue()
    return session.take(samples, count: count) ? 0 : 1
}

/// Set when the consumer of a synthesis goes away.
private final class StopFlag: Sendable {
    private let stopped = Atomic<Bool>(false)
    func stop() { stopped.store(true, ordering: .relaxed) }
    var isStopped: Bool { stopped.load(ordering: .relaxed) }
}
