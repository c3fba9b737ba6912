import Foundation
import OpenAIAPI

/// Who may drive the server from a browser: a pure value that answers each request's `Origin`,
/// `Host` and `Content-Type` with a refusal or nothing.
///
/// Threat: a web page the user visits sends requests to the local server (a form or a
/// `text/plain` `fetch` needs no preflight; DNS rebinding makes the page's own host name point
/// at 127.0.0.1). So, unless an API key guards the server: a foreign `Origin` is refused; a
/// `Host` that does not name this machine is refused while the server listens on loopback only;
/// and a body that is not `application/json` is refused always, which makes every browser ask
/// permission first (a CORS preflight). See docs/security.md.
public struct BrowserPolicy: Sendable, Equatable {
    /// An API key guards the server: any origin may call it (with the key), unless
    /// ``allowedOrigins`` narrows them.
    public var keyRequired = false
    /// Origins besides loopback ones that may call (`--cors-origins`), key or not.
    public var allowedOrigins: [String] = []
    /// Check `Host`: true while the server listens on loopback only (no `--listen`).
    public var checksHost = true
    /// Host names besides loopback ones that `Host` may name (`--allowed-hosts`).
    public var allowedHosts: [String] = []
    /// The route reads `multipart/form-data` (audio uploads) besides JSON. Safe like JSON: a
    /// cross-site form still carries `Origin`, refused above, and cannot send the key.
    var acceptsForms = false

    public init() {}

    /// Names of this machine a `Host` header may carry while the server is bound to loopback:
    /// text-generation-webui's list plus `[::1]` and Docker's name for the host, which its
    /// guard refuses by mistake.
    static let loopbackHosts: Set<String> = ["localhost", "127.0.0.1", "::1", "host.docker.internal"]

    /// The refusal for a request, or nil when it may go on.
    public func refusal(method: String, host: String?, origin: String?, contentType: String?, hasBody: Bool) -> OpenAIError? {
        if checksHost, let host, let name = Self.hostName(host), !Self.loopbackHosts.contains(name), !allowedHosts.contains(name) {
            return OpenAIError(
                status: 403,
                message:
                    "Host '\(host)' is not allowed: this server answers only to names of this machine (add yours with --allowed-hosts, or use --listen).",
                type: "invalid_request_error",
                code: "host_not_allowed"
            )
        }
        if let origin, !keyRequired || !allowedOrigins.isEmpty, !Self.isLoopback(origin: origin), !allowedOrigins.contains(origin),
            !isOwnPage(origin: origin, host: host)
        {
            return OpenAIError(
                status: 403,
                message:
                    "Requests from the web page at '\(origin)' are refused: without an API key only pages served from this machine may call (allow more with --cors-origins, or set --api-key).",
                type: "invalid_request_error",
                code: "origin_not_allowed"
            )
        }
        // A body without a Content-Type is read as JSON when no web page sent it (litellm's and
        // curl's Ollama calls leave the header out; real Ollama reads them): a browser's
        // cross-site POST always carries `Origin`.
        let untypedFromAProgram = contentType == nil && origin == nil
        let form = acceptsForms && Self.mediaType(contentType) == "multipart/form-data"
        if method == "POST", hasBody || contentType != nil, !Self.isJSON(contentType), !untypedFromAProgram, !form {
            return OpenAIError(
                status: 415,
                message: "Send the body as JSON with 'Content-Type: application/json' (got '\(contentType ?? "none")').",
                type: "invalid_request_error",
                code: "unsupported_media_type"
            )
        }
        return nil
    }

    /// The page calling is this server's own (the chat page opened at its LAN address with
    /// `--listen`): the `Origin` is the `Host` the request was sent to, and that host is an IP
    /// address or an allowed name. A DNS-rebinding page also has `Origin` equal to `Host`, but
    /// under a domain name of the attacker's, which this refuses.
    func isOwnPage(origin: String, host: String?) -> Bool {
        guard let host else { return false }
        let text = origin.lowercased()
        guard let scheme = ["http://", "https://"].first(where: text.hasPrefix), text.dropFirst(scheme.count) == host.lowercased(),
            let name = Self.hostName(host)
        else { return false }
        return IPAddressText.isLiteral(name) || allowedHosts.contains(name)
    }

    /// The host name of a `Host` header: lower-cased, without port or IPv6 brackets.
    static func hostName(_ host: String) -> String? {
        let text = host.lowercased()
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            return String(text[text.index(after: text.startIndex)..<close])
        }
        return String(text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// `http(s)://localhost`, `127.0.0.1` or `[::1]`, any port.
    static func isLoopback(origin: String) -> Bool {
        let text = origin.lowercased()
        for scheme in ["http://", "https://"] where text.hasPrefix(scheme) {
            guard let name = hostName(String(text.dropFirst(scheme.count))) else { return false }
            return ["localhost", "127.0.0.1", "::1"].contains(name)
        }
        return false
    }

    /// The media type of a `Content-Type`, lower-cased, without its parameters.
    static func mediaType(_ contentType: String?) -> String? {
        contentType.map { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "" }
    }

    static func isJSON(_ contentType: String?) -> Bool {
        guard let media = mediaType(contentType) else { return false }
        return media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json"))
    }
}

/// Whether a host name is an IP address written out (v4 dotted quad or v6).
enum IPAddressText {
    static func isLiteral(_ name: String) -> Bool {
        if name.contains(":") { return name.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in part.count <= 3 && !part.isEmpty && part.allSatisfy(\.isASCII) && UInt8(part) != nil }
    }
}
