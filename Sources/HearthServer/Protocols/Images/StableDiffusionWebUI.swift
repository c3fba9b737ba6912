import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import OpenAIAPI
import OrderedJSON

/// A Stable Diffusion web UI (AUTOMATIC1111's, or any server with its `/sdapi/v1/txt2img`) that
/// `POST /v1/images/generations` forwards to, as text-generation-webui's API did: set by
/// `SD_WEBUI_URL`, `--sd-webui-url` or the settings key `openai-sd_webui_url`.
///
/// This forward is the only connection Hearth ever opens to another machine, and only when the
/// operator configured it; without it the route answers 503.
public struct StableDiffusionWebUI: Sendable, Equatable {
    /// The web UI's address, without a trailing `/` (`http://127.0.0.1:7861`).
    public var url: String
    /// The side the model was trained at (`SD_BASE_MODEL_SIZE`): larger requests are generated
    /// at this scale and upscaled by the web UI's high-resolution pass.
    public var baseModelSize = 512
    /// How long one generation may take before the client gets a 503.
    public var timeout: Duration = .seconds(600)

    /// A readable address, or why it is not one.
    public init(url: String, baseModelSize: Int = 512, timeout: Duration = .seconds(600)) throws(ConfigurationError) {
        var url = url.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased()), parsed.host?.isEmpty == false else {
            throw ConfigurationError(description: "SD_WEBUI_URL '\(url)' is not an http:// or https:// address")
        }
        guard baseModelSize > 0 else { throw ConfigurationError(description: "SD_BASE_MODEL_SIZE must be a positive number of pixels") }
        self.url = url
        self.baseModelSize = baseModelSize
        self.timeout = timeout
    }

    /// What is wrong with the image settings.
    public struct ConfigurationError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The txt2img body text-generation-webui sent for a request: its sampler and steps, and for
    /// a size at least 1.2 times the base model's, generation at the base scale with the web UI's
    /// latent upscaler bringing it to the size asked for.
    func payload(for request: ImageGenerationRequest) -> JSON {
        var fields: [(String, JSON)] = [
            ("prompt", .string(request.prompt)), ("width", .int(request.width)), ("height", .int(request.height)),
            ("batch_size", .int(request.n)), ("sampler_name", "DPM++ 2M Karras"), ("steps", 30),
        ]
        let scale = Double(min(request.width, request.height)) / Double(baseModelSize)
        if scale >= 1.2 {
            fields[1].1 = .int(Int(Double(request.width) / scale))
            fields[2].1 = .int(Int(Double(request.height) / scale))
            fields += [("hr_scale", .double(scale)), ("enable_hr", true), ("hr_upscaler", "Latent"), ("denoising_strength", 0.68)]
        }
        return .object(fields)
    }

    /// Generates the request's images: base64 PNGs, as many as the web UI returned.
    /// - Throws: a 503 ``OpenAIError`` when the web UI cannot be reached, times out, or answers
    ///   with an error (its message passed on, its internals not).
    func generate(_ request: ImageGenerationRequest, logger: Logger) async throws(OpenAIError) -> [String] {
        var upstream = HTTPClientRequest(url: url + "/sdapi/v1/txt2img")
        upstream.method = .POST
        upstream.headers.add(name: "Content-Type", value: "application/json")
        upstream.body = .bytes(ByteBuffer(string: payload(for: request).serialized))
        let status: UInt
        let body: ByteBuffer
        do {
            let response = try await Self.client.execute(upstream, timeout: .nanoseconds(timeout.nanoseconds))
            status = response.status.code
            body = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch {
            logger.warning("The image generator could not be reached", metadata: ["images.error": "\(error)"])
            throw Self.unavailable("The image generator did not answer (\(Self.describe(error))).")
        }
        let answer = try? JSON(parsing: body.readableBytesView)
        guard status == 200, case .array(let images)? = answer?["images"] else {
            logger.warning("The image generator refused", metadata: ["images.status": "\(status)"])
            throw Self.unavailable("The image generator answered \(status): \(Self.message(in: answer) ?? "no error message").")
        }
        return images.compactMap(\.string)
    }

    /// The client of every forward, made on first use (a server without a web UI never has
    /// one). A refused connection fails at once instead of being retried until the deadline, and
    /// a redirect is not followed: the web UI is the one address the operator allowed.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// A web UI's answer holds at most this much (ten large PNGs in base64).
    static let maxResponseBytes = 512 << 20

    /// 503 in OpenAI's envelope.
    static func unavailable(_ message: String) -> OpenAIError {
        OpenAIError(status: 503, message: message, type: "server_error", code: "image_generator_unavailable")
    }

    /// The web UI's own message (`error`, else FastAPI's `detail`), short, without `errors`
    /// (its traceback).
    static func message(in answer: JSON?) -> String? {
        let text = answer?["error"]?.string ?? answer?["detail"]?.string
        return text.map { String($0.prefix(300)) }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout: "timed out"
        case is HTTPClientError: "the request failed"
        default: "connection refused or unreachable"
        }
    }
}

extension Duration {
    /// Whole nanoseconds, for NIO's `TimeAmount`.
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
