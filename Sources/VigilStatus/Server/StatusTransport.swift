import Foundation
import NIOSSL
import VigilConfig

/// How `cmd_address` is served. On loopback, plain HTTP. Anywhere else the
/// token would cross the network, so TLS (`cmd_tls_cert_file` and
/// `cmd_tls_key_file`, PEM) is required, unless `cmd_insecure: true` says the
/// network is trusted — which is then warned about at every start.
public struct StatusTransport: Sendable {
    public var certificateFile: String?
    public var keyFile: String?
    public var insecure: Bool

    public var usesTLS: Bool { certificateFile != nil }

    public init(config: AgentConfig, address: StatusAddress) throws(ConfigError) {
        let file = config.file ?? "<defaults>"
        certificateFile = config.path("cmd_tls_cert_file")
        keyFile = config.path("cmd_tls_key_file")
        insecure = config.bool("cmd_insecure") ?? false
        if (certificateFile == nil) != (keyFile == nil) {
            let missing = certificateFile == nil ? "cmd_tls_cert_file" : "cmd_tls_key_file"
            throw ConfigError(file: file, at: config.value(certificateFile == nil ? "cmd_tls_key_file" : "cmd_tls_cert_file"),
                              "TLS on cmd_address needs both cmd_tls_cert_file and cmd_tls_key_file; \(missing) is not set")
        }
        if !usesTLS, !insecure, !ConfigLint.isLoopback(hostOf: address.description) {
            throw ConfigError(file: file, at: config.value("cmd_address"),
                              "cmd_address \(address) is reachable from other hosts: set cmd_tls_cert_file and cmd_tls_key_file so the token travels encrypted, or cmd_insecure: true to send it in clear text")
        }
    }

    /// The server's TLS context, read now so a bad file stops the start with its name.
    func serverContext() throws -> NIOSSLContext? {
        guard let certificateFile, let keyFile else { return nil }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
            return try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        } catch {
            throw StatusServerError(description: "cannot use cmd_tls_cert_file \(certificateFile) and cmd_tls_key_file \(keyFile): \(error)")
        }
    }

    /// The CLI's side: the agent's own certificate is the only one trusted, so its
    /// name need not match the address the CLI dials (often 127.0.0.1).
    func clientContext() throws -> NIOSSLContext? {
        guard let certificateFile else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(certificateFile)
        tls.certificateVerification = .noHostnameVerification
        do { return try NIOSSLContext(configuration: tls) } catch {
            throw StatusClientError.notRunning("cannot use cmd_tls_cert_file \(certificateFile): \(error)")
        }
    }
}
