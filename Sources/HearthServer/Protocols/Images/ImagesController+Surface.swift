import Hummingbird
import OpenAIAPI
import OrderedJSON

/// OpenAI's image generation, forwarded to a Stable Diffusion web UI when one is configured.
extension ImagesController: APISurface {
    func addRoutes(to routes: SurfaceRoutes) {
        routes.group("v1").post("images/generations", use: generate)
    }

    func operations(_ configuration: ServerConfiguration) -> [APIDocument.Operation] {
        [
            .init(
                method: "post",
                path: "/v1/images/generations",
                tag: "OpenAI",
                summary: "Generate images through the Stable Diffusion web UI at SD_WEBUI_URL (503 when none is configured)",
                body: ImageGenerationRequest.self,
                examples: [ImageGenerationRequest.ResponseFormat.url, .base64].map { format in
                    ImagesResponse(created: APIExamples.model.created, images: ["iVBORw0KGgo="], format: format)
                }
            )
        ]
    }
}
