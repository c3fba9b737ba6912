import HummingbirdTLS
import NIOSSL

/// The key and certificate Hearth serves HTTPS with (`--ssl-keyfile`, `--ssl-certfile`, or
/// `OPENEDAI_KEY_PATH` / `OPENEDAI_CERT_PATH`), read once at start-up so that a missing or
/// unreadable file stops the server before it listens.
public struct TLSFiles: Sendable {
    public let keyPath: String
    public let certificatePath: String
    let configuration: TLSConfiguration

    /// Why the files cannot be used; the message names the file.
    public struct Unusable: Error, CustomStringConvertible {
        public let description: String
    }

    public init(keyPath: String, certificatePath: String) throws(Unusable) {
        self.keyPath = keyPath
        self.certificatePath = certificatePath
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw Unusable(description: "cannot use the TLS certificate '\(certificatePath)' (--ssl-certfile): \(error)")
        }
        guard !chain.isEmpty else { throw Unusable(description: "the TLS certificate file '\(certificatePath)' holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw Unusable(description: "cannot use the TLS key '\(keyPath)' (--ssl-keyfile): \(error)")
        }
        configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw Unusable(description: "the TLS key '\(keyPath)' and certificate '\(certificatePath)' do not work together: \(error)")
        }
    }
}
