import Hummingbird
import OpenAIAPI
import OrderedJSON

/// OpenAI's speech synthesis: a JSON body, audio back.
extension SpeechController: APISurface {
    func addRoutes(to routes: SurfaceRoutes) {
        routes.group("v1/audio").post("speech", use: speak)
    }

    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation] {
        [
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
        ]
    }
}
