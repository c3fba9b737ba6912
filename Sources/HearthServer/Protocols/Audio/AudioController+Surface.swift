import Hummingbird
import OpenAIAPI
import OrderedJSON
import SpeechRecognition

/// OpenAI's audio routes: recordings uploaded as `multipart/form-data` and answered by the
/// Whisper model, and speech asked for in JSON and answered with audio.
extension AudioController: APISurface {
    func addRoutes(to routes: SurfaceRoutes) {
        if let recognition {
            let group = routes.group("v1/audio", acceptsForms: true, bodyLimit: recognition.maxUploadBytes)
            for (path, translating) in [("transcriptions", false), ("translations", true)] {
                group.post(RouterPath(path)) { request, context in
                    try await transcribe(request, context: context, speech: recognition, translating: translating)
                }
            }
        }
        if let synthesizer {
            routes.group("v1/audio").post("speech") { request, context in try await speak(request, context: context, synthesizer: synthesizer) }
        }
    }

    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation] {
        (recognition == nil ? [] : recognitionOperations) + (synthesizer == nil ? [] : [speechOperation])
    }

    private var speechOperation: APIDocument.Operation {
        .init(
            method: "post",
            path: "/v1/audio/speech",
            tag: "OpenAI",
            summary: "Speak a text (flite's US English voices), streamed as it is synthesized",
            body: SpeechRequest.self,
            mediaType: "audio/mpeg",
            moreContent: ["audio/opus", "audio/aac", "audio/flac", "audio/wav", "audio/pcm"].map { ($0, ["schema": ["type": "string"]]) }
                + [("text/event-stream", ["schema": ["type": "object"]])]
        )
    }

    private var recognitionOperations: [APIDocument.Operation] {
        let example = Transcript(
            segments: [
                .init(start: 0, end: 8, text: " And so my fellow Americans", tokens: [400, 370], averageLogprob: -0.2, noSpeechProbability: 0.01)
            ],
            language: "en",
            duration: 11
        )
        return [
            ("transcriptions", "Transcribe a recording (Whisper, whisper.cpp)", false), ("translations", "Translate a recording into English", true),
        ]
        .map { path, summary, translating in
            APIDocument.Operation(
                method: "post",
                path: "/v1/audio/" + path,
                tag: "OpenAI",
                summary: summary,
                formSchema: TranscriptionRequest.schema(translating: translating),
                examples: [
                    RawJSON(json: TranscriptFormat.json(example)),
                    RawJSON(json: TranscriptFormat.verboseJSON(example, task: translating ? "translate" : "transcribe", temperature: 0)),
                ],
                moreContent: [("text/plain", ["schema": ["type": "string"]]), ("text/vtt", ["schema": ["type": "string"]])]
                    + (translating ? [] : [("text/event-stream", ["schema": ["type": "object"]])])
            )
        }
    }
}
