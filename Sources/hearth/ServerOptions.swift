import ArgumentParser
import HearthServer

/// Network flags, named as in text-generation-webui.
struct ServerOptions: ParsableArguments {
    @Flag(help: "Accepted for compatibility with text-generation-webui; the API is always on.")
    var api = false

    @Option(name: .customLong("api-port"), help: "Port of the API (env OPENEDAI_PORT overrides it).")
    var apiPort = 5000

    @Flag(help: "Listen on all interfaces (0.0.0.0) instead of 127.0.0.1.")
    var listen = false

    @Option(name: .customLong("listen-host"), help: "Address to bind; implies --listen.")
    var listenHost: String?

    @Option(name: .customLong("api-key"), help: "Require 'Authorization: Bearer <key>' on every request.")
    var apiKey: String?

    @Option(name: .customLong("max-body-size"), help: "Largest request body accepted, in bytes.")
    var maxBodySize = 16 << 20

    @Option(name: .customLong("preset-dir"), help: "Folder of sampler presets (<name>.yaml) a request's 'preset' names.")
    var presetDir = "presets"

    func validate() throws {
        try ModelOptions.check("--api-port", apiPort, in: 0...65535)
        try ModelOptions.check("--max-body-size", maxBodySize, in: 1...(1 << 31))
    }

    func configuration(environment: [String: String]) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = listenHost ?? (listen ? "0.0.0.0" : "127.0.0.1")
        configuration.port = apiPort
        if let value = environment["OPENEDAI_PORT"], !value.isEmpty {
            guard let port = Int(value), (0...65535).contains(port) else {
                throw ValidationError("OPENEDAI_PORT must be a port number, not '\(value)'.")
            }
            configuration.port = port
        }
        configuration.apiKey = apiKey
        configuration.maxBodyBytes = maxBodySize
        configuration.presetDirectory = presetDir
        return configuration
    }
}
