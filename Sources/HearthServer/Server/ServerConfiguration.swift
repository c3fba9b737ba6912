import LlamaEngine
import OpenAIAPI
import Prompting
import SpeechSynthesis

/// Everything the HTTP server needs to know, resolved from flags and environment by `hearth`.
public struct ServerConfiguration: Sendable {
    /// Address to bind: `127.0.0.1` by default, `0.0.0.0` with `--listen`.
    public var host: String = "127.0.0.1"
    /// More addresses served on the same port (`::1` beside `127.0.0.1` with `--api-enable-ipv6`).
    public var extraHosts: [String] = []
    /// Port; 0 picks a free one (tests).
    public var port: Int = 5000
    /// When not empty, every request must carry `Authorization: Bearer <key>` with one of them
    /// (`--api-key`, `--api-key-file`).
    public var apiKeys: [String] = []
    /// Keys of the model endpoints (`--admin-key`; the API keys when only those are set, as
    /// text-generation-webui does). Empty: open.
    public var adminKeys: [String] = []
    /// What browsers may do (origins, hosts, content types).
    public var browserPolicy = BrowserPolicy()
    /// A connection that sends no complete request head (or no more of its body) for this long
    /// is closed: silent connections and slow-loris clients cannot hold file descriptors.
    /// Responses in progress (a long generation) are never cut.
    public var idleTimeout: Duration = .seconds(15)
    /// Connections served at once (per address); further ones wait in the kernel's accept queue
    /// until one closes, so a flood of idle connections cannot exhaust file descriptors.
    public var maxConnections = 512
    /// Counters and histograms served at `GET /metrics` (`--metrics`); nil serves no metrics.
    public var metrics: ServerMetrics?
    /// Serve HTTPS with these files; nil serves plain HTTP.
    public var tls: TLSFiles?
    /// Largest request body accepted; larger ones get 413.
    public var maxBodyBytes: Int = 16 << 20
    /// `--replica-name`: sent as `X-Hearth-Replica` on every response; nil sends nothing.
    public var replicaName: String?

    /// Stored responses' ids begin with the replica's name (`resp_r2_…`), so that a load
    /// balancer sends a `previous_response_id` to the replica that stored it and holds its KV.
    var responseIDPrefix: String { replicaName.map { "resp_\($0)_" } ?? "resp_" }
    /// Log prompts and completions (`OPENEDAI_DEBUG=1`). Off by default: no user text is logged.
    public var logsUserText = false
    /// Tokens generated for a completion that names no `max_tokens` (text-generation-webui: 512).
    public var defaultCompletionMaxTokens = 512
    /// Defaults for sampler fields a request leaves out (the server's `--top-p` … flags).
    public var samplerDefaults = SamplerSettings() {
        didSet { defaultSampling = SamplingParameters(samplerDefaults, over: SamplingParameters()) }
    }
    /// ``samplerDefaults`` as the engine's parameters.
    private(set) var defaultSampling = SamplingParameters()
    /// Where `preset` files (`<name>.yaml`) are found.
    public var presetDirectory = "presets"
    /// `--lora-dir` and the adapters active for each model.
    public var loras = LoraLibrary()
    /// The sentence-transformers models of `/v1/embeddings` and `/v1/moderations`; nil: none.
    public var embeddings: EmbeddingModels?
    /// The chat page served at `/`; nil serves none (`--no-ui`).
    public var chatPage: ChatPage?
    /// The Whisper model of `/v1/audio/transcriptions` and `/translations`; nil serves neither.
    public var speech: SpeechModels?
    /// The voices of `/v1/audio/speech` (flite, linked in); nil serves no speech.
    public var synthesizer: SpeechSynthesizer? = SpeechSynthesizer()
    /// Where `POST /v1/images/generations` forwards to (`SD_WEBUI_URL`); `nil` answers 503.
    public var imageGenerator: StableDiffusionWebUI?
    /// The instruction templates and characters requests may name (listed for the chat page).
    public var promptLibrary = PromptLibrary()
    /// Stored Responses (`--responses-max`).
    public var responses = ResponseStore()

    public init() {}
}

/// Hearth's version: the number of the last issue it resolved (`hearth --version`, the OpenAPI
/// document).
public let hearthServerVersion = "0.13.0"
