import CWhisper
import Foundation
import LlamaEngine
import Synchronization

/// A Whisper model loaded with whisper.cpp, transcribing one recording at a time on a thread of
/// its own. Its work is side work (``ComputeTurns``), like an embedding pass: while chat streams
/// run it gets its share of the CPU one 30-second window at a time, so they keep decoding.
public final class WhisperModel: Sendable {
    /// The model's file.
    public let path: String
    /// Hears and writes other languages than English, and can translate.
    public let isMultilingual: Bool
    /// whisper.cpp's context: one `whisper_full` at a time.
    private let context: Mutex<Context>
    private let turns: ComputeTurns?
    /// How long the last window's encoding took: what the next one asks of the CPU turns.
    private let encoderSeconds = EncoderCost()

    /// Loads the model at `path`.
    /// - Parameter turns: the CPU turns to take part in (none: run at once).
    public init(path: String, turns: ComputeTurns? = .shared) throws(SpeechError) {
        Self.silenceLogs
        var parameters = whisper_context_default_params()
        parameters.use_gpu = false
        guard let pointer = whisper_init_from_file_with_params(path, parameters) else { throw .modelNotLoaded(path: path) }
        self.path = path
        self.isMultilingual = whisper_is_multilingual(pointer) != 0
        self.context = Mutex(Context(pointer: pointer))
        self.turns = turns
    }

    /// whisper.cpp writes its progress to stderr unless told otherwise; Hearth logs through
    /// swift-log and never logs what was said.
    private static let silenceLogs: Void = whisper_log_set({ _, _, _ in }, nil)

    /// Transcribes (or, with `options.translate`, translates into English) `audio`. Cancelling
    /// the calling task stops whisper.cpp between its steps.
    public func transcribe(_ audio: AudioSamples, options: TranscriptionOptions) async throws(SpeechError) -> Transcript {
        if options.translate && !isMultilingual { throw .translationUnsupported }
        let language = try language(options.language)
        let control = Control(turns: turns, encoderSeconds: encoderSeconds, onSegment: options.onSegment)
        let result: Result<Transcript, SpeechError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { [self] in
                    continuation.resume(returning: run(audio, options: options, language: language, control: control))
                }
                thread.name = "hearth-whisper"
                thread.start()
            }
        } onCancel: {
            control.cancelled.store(true, ordering: .relaxed)
        }
        return try result.get()
    }

    /// The language code to pass, checked: `nil` detects it (multilingual models only).
    private func language(_ requested: String?) throws(SpeechError) -> String? {
        guard let requested, !requested.isEmpty else { return isMultilingual ? nil : "en" }
        let code = requested.lowercased()
        guard whisper_lang_id(code) >= 0 else { throw .unsupportedLanguage(requested) }
        if !isMultilingual && code != "en" { throw .unsupportedLanguage(requested) }
        return code
    }

    private func run(_ audio: AudioSamples, options: TranscriptionOptions, language: String?, control: Control) -> Result<Transcript, SpeechError> {
        context.withLock { context in
            var parameters = whisper_full_default_params(WHISPER_SAMPLING_GREEDY)
            parameters.n_threads = Int32(max(1, ProcessInfo.processInfo.activeProcessorCount))
            parameters.print_progress = false
            parameters.print_realtime = false
            parameters.print_timestamps = false
            parameters.print_special = false
            parameters.translate = options.translate
            parameters.temperature = Float(options.temperature)
            if options.temperature > 0 { parameters.temperature_inc = 0 }
            let box = Unmanaged.passRetained(control)
            defer { box.release() }
            parameters.abort_callback = { data in
                Unmanaged<Control>.fromOpaque(data!).takeUnretainedValue().cancelled.load(ordering: .relaxed)
            }
            parameters.abort_callback_user_data = box.toOpaque()
            // Each window's encoding begins a new side turn, so chat ticks run in between. An
            // encoding cannot be cut: it waits until it has earned its length (the last one's).
            parameters.encoder_begin_callback = { _, _, data in
                let control = Unmanaged<Control>.fromOpaque(data!).takeUnretainedValue()
                control.nextTurn(encoding: true)
                return !control.cancelled.load(ordering: .relaxed)
            }
            parameters.encoder_begin_callback_user_data = box.toOpaque()
            // Each decoding step may end the part too, once it has lasted its budget: a window's
            // decoding takes as long as its encoding, and a stream should wait for neither.
            // (whisper.cpp calls this from worker threads too when several decoders run, after
            // a temperature fallback; only the thread that holds the turn gives it back.)
            parameters.logits_filter_callback = { _, _, _, _, _, data in
                Unmanaged<Control>.fromOpaque(data!).takeUnretainedValue().nextTurnIfDue()
            }
            parameters.logits_filter_callback_user_data = box.toOpaque()
            if options.onSegment != nil {
                parameters.new_segment_callback = { context, _, count, data in
                    guard let context else { return }
                    let control = Unmanaged<Control>.fromOpaque(data!).takeUnretainedValue()
                    let total = whisper_full_n_segments(context)
                    for index in max(0, total - count)..<total { control.onSegment?(Context.segment(index, of: context)) }
                }
                parameters.new_segment_callback_user_data = box.toOpaque()
            }
            let code: Int32 = withOptionalCString(language) { languagePointer in
                withOptionalCString(options.prompt) { promptPointer in
                    parameters.language = languagePointer
                    parameters.detect_language = false
                    parameters.initial_prompt = promptPointer
                    return audio.samples.withUnsafeBufferPointer { samples in
                        control.holdTurnsOnThisThread()
                        // The first part computes the mel spectrogram and, when the language is
                        // to be detected, encodes the first window for that: uncut as well.
                        control.nextTurn(encoding: language == nil)
                        defer { control.endTurn() }
                        return whisper_full(context.pointer, parameters, samples.baseAddress, Int32(samples.count))
                    }
                }
            }
            if control.cancelled.load(ordering: .relaxed) { return .failure(.cancelled) }
            guard code == 0 else { return .failure(.failed(code)) }
            return .success(context.transcript(duration: audio.duration))
        }
    }
}

/// Options of one transcription.
public struct TranscriptionOptions: Sendable {
    /// ISO 639-1 code; `nil` detects it.
    public var language: String?
    /// Text the recording continues (names, spelling, style).
    public var prompt: String?
    /// 0: greedy, the same text every time.
    public var temperature: Double
    /// Into English instead of the spoken language.
    public var translate: Bool
    /// Called with each segment as whisper.cpp finishes it (on its thread), for streaming.
    public var onSegment: (@Sendable (Transcript.Segment) -> Void)?

    public init(language: String? = nil, prompt: String? = nil, temperature: Double = 0, translate: Bool = false) {
        self.language = language
        self.prompt = prompt
        self.temperature = temperature
        self.translate = translate
    }
}

/// whisper.cpp's context pointer, freed with its owner.
private struct Context: ~Copyable {
    let pointer: OpaquePointer

    deinit { whisper_free(pointer) }

    /// The segments of the last `whisper_full`.
    func transcript(duration: Double) -> Transcript {
        let segments = (0..<whisper_full_n_segments(pointer)).map { Self.segment($0, of: pointer) }
        let language = String(cString: whisper_lang_str(whisper_full_lang_id(pointer)))
        return Transcript(segments: segments, language: language, duration: duration)
    }

    /// Segment `index` of the last (or running) `whisper_full` of `context`.
    static func segment(_ index: Int32, of context: OpaquePointer) -> Transcript.Segment {
        let end = whisper_token_eot(context)
        var tokens: [Int32] = []
        var logprobs = 0.0
        for position in 0..<whisper_full_n_tokens(context, index) {
            let data = whisper_full_get_token_data(context, index, position)
            guard data.id < end else { continue }
            tokens.append(data.id)
            logprobs += Double(data.plog)
        }
        return Transcript.Segment(
            start: Double(whisper_full_get_segment_t0(context, index)) / 100,
            end: Double(whisper_full_get_segment_t1(context, index)) / 100,
            text: String(cString: whisper_full_get_segment_text(context, index)),
            tokens: tokens,
            averageLogprob: tokens.isEmpty ? 0 : logprobs / Double(tokens.count),
            noSpeechProbability: Double(whisper_full_get_segment_no_speech_prob(context, index))
        )
    }
}

/// What the whisper.cpp callbacks reach: the cancel flag and the side turn being held.
private final class Control: Sendable {
    let cancelled = Atomic(false)
    let onSegment: (@Sendable (Transcript.Segment) -> Void)?
    private let turns: ComputeTurns?
    private let encoderSeconds: EncoderCost
    /// When the held turn began and whether it encodes a window (touched only on the
    /// transcription's thread).
    private let started = Mutex<(at: ContinuousClock.Instant, encoding: Bool)?>(nil)
    /// The thread that runs `whisper_full` and so begins and ends the turns.
    private let owner = Atomic<UInt>(0)

    init(turns: ComputeTurns?, encoderSeconds: EncoderCost, onSegment: (@Sendable (Transcript.Segment) -> Void)?) {
        self.turns = turns
        self.encoderSeconds = encoderSeconds
        self.onSegment = onSegment
    }

    /// Ends the turn held (if any) and waits for the next; an encoding's turn waits until it
    /// has earned what the last encoding took.
    func nextTurn(encoding: Bool = false) {
        guard let turns else { return }
        endTurn()
        let now = turns.beginSide(cost: encoding ? encoderSeconds.seconds : 0)
        started.withLock { $0 = (now, encoding) }
    }

    /// Ends the held turn and waits for the next once it has lasted ``ComputeTurns/sideBudget``.
    func holdTurnsOnThisThread() { owner.store(UInt(pthread_self()), ordering: .relaxed) }

    func nextTurnIfDue() {
        guard owner.load(ordering: .relaxed) == UInt(pthread_self()) else { return }
        guard let turns, let began = started.withLock({ $0 }) else { return }
        if (ContinuousClock.now - began.at).inSeconds >= turns.sideBudget.seconds { nextTurn() }
    }

    func endTurn() {
        guard let turns,
            let began = started.withLock({ value in
                defer { value = nil }; return value
            })
        else { return }
        // An encoding's turn ends at the first decoding step after it: its length is the
        // encoding's, give or take one step.
        if began.encoding { encoderSeconds.seconds = (ContinuousClock.now - began.at).inSeconds }
        turns.endSide(startedAt: began.at)
    }
}

/// The length of a model's last window encoding, shared by its transcriptions.
private final class EncoderCost: Sendable {
    private let value = Mutex(0.0)
    var seconds: Double {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

private func withOptionalCString<Result>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
