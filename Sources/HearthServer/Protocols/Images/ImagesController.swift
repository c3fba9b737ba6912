import Foundation
import Hummingbird
import OpenAIAPI
import OrderedJSON

/// `POST /v1/images/generations`: each request forwarded to the Stable Diffusion web UI the
/// operator configured (``StableDiffusionWebUI``), its PNGs returned as OpenAI returns images.
/// Without one configured, 503: Hearth generates no images itself.
struct ImagesController: Sendable {
    let configuration: ServerConfiguration

    @Sendable func generate(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(ImageGenerationRequest.self, limit: configuration.maxBodyBytes)
        guard let generator = configuration.imageGenerator else {
            throw StableDiffusionWebUI.unavailable(
                "No image generator is configured: start Hearth with SD_WEBUI_URL (or --sd-webui-url) naming a Stable Diffusion web UI."
            )
        }
        let images = try await request.cancellingOnDisconnect { try await generator.generate(body, logger: context.logger) }
        return jsonResponse(ImagesResponse(created: Int(Date().timeIntervalSince1970), images: images, format: body.responseFormat))
    }
}

/// `{"created", "data": [{"b64_json"} | {"url"}]}`.
struct ImagesResponse: JSONRepresentable {
    var created: Int
    var images: [String]
    var format: ImageGenerationRequest.ResponseFormat

    var json: JSON {
        let data: [JSON] = images.map { image in
            switch format {
            case .base64: ["b64_json": .string(image)]
            case .url: ["url": .string("data:image/png;base64," + image)]
            }
        }
        return ["created": .int(created), "data": .array(data)]
    }
}
