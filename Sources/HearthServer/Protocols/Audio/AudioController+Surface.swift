import Hummingbird
import OpenAIAPI
import OrderedJSON
import SpeechRecognition

/// OpenAI's audio routes: uploads as `multipart/form-data`, answered by the Whisper model.
extension AudioController: APISurface {
    func addRoutes(to routes: SurfaceRoutes) {
        let group = routes.group("v1/audio", acceptsForms: true, bodyLimit: speech.maxUploadBytes)
        group.post("transcriptions", use: transcribe)
        group.post("translations", use: translate)
    }

    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation] {
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
