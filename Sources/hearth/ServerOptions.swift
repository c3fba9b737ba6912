import ArgumentParser
import Foundation
import HearthServer

/// Network flags, named as in text-generation-webui.
struct ServerOptions: ParsableArguments {
    @Option(
        help:
            "A YAML file of options (keys as the long option names) and text-generation-webui's openai-* keys; default: settings.yaml here, if present. Flags win over it, environment variables over both."
    )
    var settings: String?

    @Flag(help: "Accepted for compatibility with text-generation-webui; the API is always on.")
    var api = false

    @Option(name: .customLong("api-port"), help: "Port of the API (env OPENEDAI_PORT overrides it).")
    var apiPort = 5000

    @Flag(help: "Listen on all interfaces (0.0.0.0) instead of 127.0.0.1.")
    var listen = false

    @Option(name: .customLong("listen-host"), help: "Address to bind; implies --listen.")
    var listenHost: String?

    @Flag(name: .customLong("api-enable-ipv6"), help: "Also serve on IPv6 (::1, or :: with --listen) (env OPENEDAI_ENABLE_IPV6).")
    var apiEnableIPv6 = false

    @Flag(name: .customLong("api-disable-ipv4"), help: "Do not serve on IPv4; needs --api-enable-ipv6 (env OPENEDAI_DISABLE_IPV4).")
    var apiDisableIPv4 = false

    @Flag(name: .customLong("public-api"), help: "Publish the API through a Cloudflare quick tunnel (needs cloudflared on PATH and an API key).")
    var publicAPI = false

    @Option(name: .customLong("api-key"), help: "Require 'Authorization: Bearer <key>' on every request.")
    var apiKey: String?

    @Option(
        name: .customLong("admin-key"),
        help: "Require this key on the model endpoints (/v1/internal/model/list, load, unload); default: the API key."
    )
    var adminKey: String?

    @Option(
        name: .customLong("api-key-file"),
        help: "A file of API keys, one per line (blank lines and '#' comments ignored); any of them is accepted."
    )
    var apiKeyFile: String?

    @Option(
        name: .customLong("cors-origins"),
        help: "Comma-separated web origins (https://app.example) that may call besides pages on this machine; with a key, the only ones."
    )
    var corsOrigins: String?

    @Option(name: .customLong("allowed-hosts"), help: "Comma-separated host names the Host header may carry while bound to loopback.")
    var allowedHosts: String?

    @Option(name: .customLong("ssl-keyfile"), help: "PEM private key to serve HTTPS with (env OPENEDAI_KEY_PATH).")
    var sslKeyfile: String?

    @Option(name: .customLong("ssl-certfile"), help: "PEM certificate (chain) to serve HTTPS with (env OPENEDAI_CERT_PATH).")
    var sslCertfile: String?

    @Option(
        name: .customLong("idle-timeout"),
        help: "Seconds a connection may stay silent, or take to send a request, before it is closed (responses are never cut)."
    )
    var idleTimeout = 15

    @Option(
        name: .customLong("max-connections"),
        help: "Open connections served at once; more wait in the kernel's queue until one closes (file descriptors cannot run out)."
    )
    var maxConnections = 512

    @Flag(help: "Serve Prometheus metrics at GET /metrics (behind the API key when one is set).")
    var metrics = false

    @Flag(name: .customLong("no-ui"), help: "Do not serve the chat page at / (the API is unaffected).")
    var noUI = false

    @Option(name: .customLong("responses-max"), help: "Responses (POST /v1/responses) kept for previous_response_id, least recently used out first.")
    var responsesMax = 1000

    @Option(name: .customLong("responses-dir"), help: "Also keep stored Responses in this folder, so a restart keeps them (default: memory only).")
    var responsesDir: String?

    @Option(
        name: .customLong("drain-seconds"),
        help:
            "On SIGTERM, answer /health and new requests with 503 (a load balancer retries them elsewhere) while running generations finish, for up to this many seconds; then end the rest (default: 0, end them at once)."
    )
    var drainSeconds = 0

    @Option(
        name: .customLong("replica-name"),
        help: "Name this server in an X-Hearth-Replica header on every response (behind a load balancer: which replica served it)."
    )
    var replicaName: String?

    @Option(name: .customLong("max-body-size"), help: "Largest request body accepted, in bytes.")
    var maxBodySize = 16 << 20

    @Option(
        name: .customLong("preset-dir"),
        help: "Folder of sampler presets (<name>.yaml) a request's 'preset' names (default: presets, here or installed)."
    )
    var presetDir: String?

    // ArgumentParser's own names: --sd-webui-url from sdWebuiUrl, and so on.
    @Option(
        help:
            "A Stable Diffusion web UI (http://host:port) that POST /v1/images/generations forwards to; the only outbound connection Hearth makes (env SD_WEBUI_URL; default: none, the route answers 503)."
    )
    var sdWebuiUrl: String?

    @Option(
        help: "Side in pixels the image model was trained at; larger sizes are upscaled by the web UI (env SD_BASE_MODEL_SIZE)."
    )
    var sdBaseModelSize = 512

    @Option(help: "Seconds one image request may take at the web UI before the client gets a 503.")
    var sdTimeout = 600

    func validate() throws {
        try ModelOptions.check("--api-port", apiPort, in: 0...65535)
        try ModelOptions.check("--sd-base-model-size", sdBaseModelSize, in: 64...8192)
        try ModelOptions.check("--sd-timeout", sdTimeout, in: 1...86_400)
        try ModelOptions.check("--max-body-size", maxBodySize, in: 1...(1 << 31))
        try ModelOptions.check("--idle-timeout", idleTimeout, in: 1...86_400)
        try ModelOptions.check("--responses-max", responsesMax, in: 0...1_000_000)
        try ModelOptions.check("--max-connections", maxConnections, in: 1...1_000_000)
        try ModelOptions.check("--drain-seconds", drainSeconds, in: 0...86_400)
        if let replicaName,
            replicaName.isEmpty || replicaName.count > 32 || !replicaName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        {
            throw ValidationError("--replica-name: up to 32 letters, digits and '-', not '\(replicaName)' (it begins stored responses' ids).")
        }
    }

    func configuration(environment: [String: String]) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        let hosts = try addresses(environment: environment)
        configuration.host = hosts[0]
        configuration.extraHosts = Array(hosts.dropFirst())
        configuration.port = apiPort
        if let value = environment["OPENEDAI_PORT"], !value.isEmpty {
            guard let port = Int(value), (0...65535).contains(port) else {
                throw ValidationError("OPENEDAI_PORT must be a port number, not '\(value)'.")
            }
            configuration.port = port
        }
        configuration.idleTimeout = .seconds(idleTimeout)
        configuration.maxConnections = maxConnections
        configuration.metrics = metrics ? ServerMetrics() : nil
        if let responsesDir {
            do {
                configuration.responses = try ResponseStore(capacity: responsesMax, directory: responsesDir)
            } catch {
                throw ValidationError("--responses-dir: cannot use '\(responsesDir)': \(error.localizedDescription)")
            }
        } else {
            configuration.responses = ResponseStore(capacity: responsesMax)
        }
        configuration.apiKeys = try keys()
        configuration.adminKeys = adminKey.map { $0.isEmpty ? [] : [$0] } ?? configuration.apiKeys
        configuration.tls = try tls(environment: environment)
        configuration.browserPolicy.allowedOrigins = Self.list(corsOrigins)
        configuration.browserPolicy.allowedHosts = Self.list(allowedHosts).map { $0.lowercased() }
        // Host names are checked only while no other machine can reach the server.
        configuration.browserPolicy.checksHost = hosts.allSatisfy { ["127.0.0.1", "::1", "localhost"].contains($0) }
        configuration.maxBodyBytes = maxBodySize
        configuration.replicaName = replicaName
        configuration.presetDirectory = presetDir ?? InstallLayout.directory("presets")
        configuration.imageGenerator = try imageGenerator(environment: environment)
        return configuration
    }

    /// `SD_WEBUI_URL` (else `--sd-webui-url`) with `SD_BASE_MODEL_SIZE` (else the flag).
    private func imageGenerator(environment: [String: String]) throws -> StableDiffusionWebUI? {
        guard let url = environment["SD_WEBUI_URL"].flatMap({ $0.isEmpty ? nil : $0 }) ?? sdWebuiUrl, !url.isEmpty else { return nil }
        var size = sdBaseModelSize
        if let value = environment["SD_BASE_MODEL_SIZE"], !value.isEmpty {
            guard let number = Int(value), (64...8192).contains(number) else {
                throw ValidationError("SD_BASE_MODEL_SIZE must be a side in pixels (64 to 8192), not '\(value)'.")
            }
            size = number
        }
        do {
            return try StableDiffusionWebUI(url: url, baseModelSize: size, timeout: .seconds(sdTimeout))
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The addresses to bind, as text-generation-webui chooses them: `--listen-host` alone, or
    /// loopback (`127.0.0.1`, `::1`) or every interface (`0.0.0.0`, or `::`, which on Linux takes
    /// IPv4 too) for the enabled IP versions.
    func addresses(environment: [String: String]) throws -> [String] {
        if let listenHost { return [listenHost] }
        let ipv6 = apiEnableIPv6 || Self.isTrue(environment["OPENEDAI_ENABLE_IPV6"])
        let ipv4 = !(apiDisableIPv4 || Self.isTrue(environment["OPENEDAI_DISABLE_IPV4"]))
        guard ipv4 || ipv6 else {
            throw ValidationError("--api-disable-ipv4 without --api-enable-ipv6 leaves no address to serve on.")
        }
        if listen { return [ipv6 ? "::" : "0.0.0.0"] }
        return (ipv4 ? ["127.0.0.1"] : []) + (ipv6 ? ["::1"] : [])
    }

    /// An environment switch: set and not `0`, `false`, `no` or `off`.
    static func isTrue(_ value: String?) -> Bool {
        guard let value = value?.trimmingCharacters(in: .whitespaces).lowercased(), !value.isEmpty else { return false }
        return !["0", "false", "no", "off"].contains(value)
    }

    /// `--api-key` and every key of `--api-key-file`.
    func keys() throws -> [String] {
        var keys = [apiKey].compactMap { $0 }.filter { !$0.isEmpty }
        if let apiKeyFile {
            guard let data = FileManager.default.contents(atPath: apiKeyFile), let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("--api-key-file: cannot read '\(apiKeyFile)'.")
            }
            let fromFile = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            guard !fromFile.isEmpty else { throw ValidationError("--api-key-file: '\(apiKeyFile)' holds no key.") }
            keys += fromFile
        }
        return keys
    }

    /// The TLS files from the flags, or from `OPENEDAI_KEY_PATH` / `OPENEDAI_CERT_PATH` (which win,
    /// as text-generation-webui's environment variables do); both or neither.
    func tls(environment: [String: String]) throws -> TLSFiles? {
        let key = environment["OPENEDAI_KEY_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? sslKeyfile
        let certificate = environment["OPENEDAI_CERT_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? sslCertfile
        switch (key, certificate) {
        case (nil, nil): return nil
        case (let key?, let certificate?): return try TLSFiles(keyPath: key, certificatePath: certificate)
        case (nil, _): throw ValidationError("--ssl-certfile needs --ssl-keyfile (or OPENEDAI_KEY_PATH) too.")
        case (_, nil): throw ValidationError("--ssl-keyfile needs --ssl-certfile (or OPENEDAI_CERT_PATH) too.")
        }
    }

    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
