import Foundation
import NIOCore

/// The chat page's files (`ui/` in a checkout, `share/hearth/ui` when installed), read once at
/// start: `GET /` serves `index.html`, `GET /ui/NAME` the others. Kept in memory (the whole
/// page is under 150 KB), so a request never touches the disk and the served page cannot
/// change under a running server.
public struct ChatPage: Sendable {
    /// One served file.
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
        /// A strong validator (a hash of the bytes): a reload answers 304 without a body.
        let etag: String
    }

    /// Files by name (`index.html`, `app.js` …).
    let assets: [String: Asset]

    /// The page's Content-Security-Policy: only this server's own scripts, styles, images and
    /// API (no inline script, no remote loads), the replies it reads aloud (blob: URLs of the
    /// server's speech), and no framing by other sites.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; "
        + "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// Reads every file of `directory` (one level; dot files skipped).
    /// - Throws: ``ChatPageError`` when the folder cannot be read or has no `index.html`.
    public init(directory: String) throws(ChatPageError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .unreadable(directory)
        }
        var assets: [String: Asset] = [:]
        for name in names where !name.hasPrefix(".") {
            guard let type = Self.contentTypes[URL(fileURLWithPath: name).pathExtension.lowercased()],
                let data = FileManager.default.contents(atPath: "\(directory)/\(name)")
            else { continue }
            assets[name] = Asset(body: ByteBuffer(bytes: data), contentType: type, etag: Self.etag(of: data))
        }
        guard assets["index.html"] != nil else { throw .missingIndex(directory) }
        self.assets = assets
    }

    /// Total bytes served for the page (reported in docs/performance.md).
    public var totalBytes: Int { assets.values.reduce(0) { $0 + $1.body.readableBytes } }

    static let contentTypes = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "json": "application/json", "webmanifest": "application/manifest+json",
    ]

    /// FNV-1a, 64 bits, quoted: enough to tell two versions of a file apart.
    static func etag(of data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "\"\(String(hash, radix: 16))\""
    }
}

/// Why the chat page could not be read.
public enum ChatPageError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case missingIndex(String)

    public var description: String {
        switch self {
        case .unreadable(let directory): "cannot read the chat page's folder \(directory)"
        case .missingIndex(let directory): "the chat page's folder \(directory) has no index.html"
        }
    }
}
