import Foundation
import Hummingbird
import OpenAIAPI
import OrderedJSON
import SpeechRecognition

/// OpenAI's speech recognition: `POST /v1/audio/transcriptions` and
/// `POST /v1/audio/translations`, answered by the Whisper model of ``SpeechModels`` (whisper.cpp
/// on llama.cpp's ggml). An upload is read as a form (``TranscriptionRequest``), decoded to
/// 16 kHz mono (WAV, MP3, FLAC, others through ffmpeg), transcribed as side work beside running
/// chats, and written in the format asked for (``TranscriptFormat``).
extension AudioController {
    func transcribe(_ request: Request, context: BasicRequestContext, speech: SpeechModels, translating: Bool) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: speech.maxUploadBytes)
        let job = try TranscriptionRequest(form: try MultipartForm(body, contentType: request.headers[.contentType]), translating: translating)
        let audio: AudioSamples
        do {
            audio = try await AudioSamples.decode(job.audio, maxSeconds: speech.maxSeconds)
        } catch {
            throw OpenAIError.invalidValue("file", error.description)
        }
        let model = try await Self.openAI { () async throws(SpeechError) in try await speech.model(logger: context.logger) }
        if job.stream {
            return GenerationResponse.eventStream(request: request, logger: context.logger) { send in
                try await Self.stream(audio, job: job, model: model, send: send)
            }
        }
        let transcript = try await request.cancellingOnDisconnect {
            try await Self.openAI { () async throws(SpeechError) in try await model.transcribe(audio, options: job.options) }
        }
        switch job.format {
        case .json: return jsonResponse(RawJSON(json: TranscriptFormat.json(transcript)))
        case .verboseJSON:
            let task = translating ? "translate" : "transcribe"
            return jsonResponse(RawJSON(json: TranscriptFormat.verboseJSON(transcript, task: task, temperature: job.options.temperature)))
        case .text: return Self.plain(TranscriptFormat.text(transcript))
        case .srt: return Self.plain(TranscriptFormat.srt(transcript))
        case .vtt: return Self.plain(TranscriptFormat.vtt(transcript), type: "text/vtt; charset=utf-8")
        }
    }

    /// `stream=true`: OpenAI's transcription events, `transcript.text.delta` per segment as
    /// whisper.cpp finishes it, then `transcript.text.done` with the whole text and usage.
    private static func stream(_ audio: AudioSamples, job: TranscriptionRequest, model: WhisperModel, send: (String) async throws -> Void)
        async throws
    {
        let (segments, continuation) = AsyncStream<Transcript.Segment>.makeStream()
        var options = job.options
        options.onSegment = { continuation.yield($0) }
        async let finished = openAI { () async throws(SpeechError) in
            defer { continuation.finish() }
            return try await model.transcribe(audio, options: options)
        }
        var first = true
        for await segment in segments {
            let text = first ? String(segment.text.drop(while: \.isWhitespace)) : segment.text
            first = false
            try await send(ServerSentEvents.event(RawJSON(json: ["type": "transcript.text.delta", "delta": .string(text)])))
        }
        let transcript = try await finished
        var done = TranscriptFormat.json(transcript)
        if case .object(let members) = done { done = .object([("type", "transcript.text.done")] + members) }
        try await send(ServerSentEvents.event(RawJSON(json: done)) + ServerSentEvents.done)
    }

    private static func plain(_ text: String, type: String = "text/plain; charset=utf-8") -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: .init(string: text)))
    }

    /// Speech errors as OpenAI's: a model that cannot load is a 503, a cancelled one ends the
    /// response, the rest are 400s.
    private static func openAI<Value>(_ body: () async throws(SpeechError) -> Value) async throws -> Value {
        do {
            return try await body()
        } catch {
            switch error {
            case .modelNotLoaded: throw OpenAIError(status: 503, message: error.description, type: "server_error", code: "model_not_loaded")
            case .cancelled: throw CancellationError()
            case .unsupportedLanguage: throw OpenAIError.invalidValue("language", error.description)
            case .translationUnsupported: throw OpenAIError.invalidRequest(error.description, param: "model")
            case .failed, .outOfMemory: throw OpenAIError(status: 500, message: error.description, type: "server_error")
            case .notAudio, .tooLong, .needsFFmpeg: throw OpenAIError.invalidValue("file", error.description)
            }
        }
    }
}
