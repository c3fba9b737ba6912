import Foundation
import Hummingbird
import Logging
import OpenAIAPI
import OrderedJSON
import SpeechSynthesis

/// OpenAI's speech synthesis, `POST /v1/audio/speech`: flite's voices, encoded as the
/// request asks and sent as they are synthesized. A client that goes away stops the synthesis.
extension AudioController {
    func speak(_ request: Request, context: BasicRequestContext, synthesizer: SpeechSynthesizer) async throws -> Response {
        var collected = request
        let body = try await collected.decodeJSON(SpeechRequest.self, limit: maxBodyBytes)
        // Before any header is sent, so that a voice or encoder that cannot start is an error
        // response rather than an empty 200.
        do {
            try synthesizer.prepare(voice: body.voice, format: body.format)
        } catch {
            throw OpenAIError(status: 500, message: error.description, type: "server_error")
        }
        let parts = synthesizer.speak(body.input, voice: body.voice, speed: body.speed, format: body.format)
        switch body.streamFormat {
        case .sse:
            return GenerationResponse.eventStream(request: collected, logger: context.logger) { send in
                for try await part in parts {
                    try await send(
                        ServerSentEvents.event(RawJSON(json: ["type": "speech.audio.delta", "audio": .string(Data(part).base64EncodedString())]))
                    )
                }
                // flite counts no tokens; the fields are there for clients that read them.
                let usage: JSON = ["input_tokens": 0, "output_tokens": 0, "total_tokens": 0]
                try await send(ServerSentEvents.event(RawJSON(json: ["type": "speech.audio.done", "usage": usage])))
            }
        case .audio:
            return Response(
                status: .ok,
                headers: [.contentType: body.format.contentType, .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    do {
                        for try await part in parts { try await writer.write(ByteBuffer(bytes: part)) }
                    } catch {
                        // The headers are gone: the audio ends where the failure came.
                        context.logger.error("Speech synthesis failed mid-stream", metadata: ["error": "\(error)"])
                    }
                    try await writer.finish(nil)
                }
            )
        }
    }
}
