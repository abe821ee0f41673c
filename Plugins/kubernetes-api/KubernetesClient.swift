import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Read-only access to a Kubernetes API server: GET only, TLS verified against
/// the configured CA, a bearer token (re-read when its file changes) or a
/// client certificate. One connection pool on one event-loop thread.
public final class KubernetesClient: Sendable {
    public let config: KubernetesConfig
    private let token: TokenFile?
    private let group: MultiThreadedEventLoopGroup
    private let http: HTTPClient
    /// The largest list page or watch line accepted.
    public let maximumBodyBytes: Int

    public init(config: KubernetesConfig, maximumBodyBytes: Int = 64 << 20) throws(KubernetesError) {
        self.config = config
        self.maximumBodyBytes = maximumBodyBytes
        token = config.tokenFile.map(TokenFile.init(path:))
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        do {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(config.caPEM))
            if let cert = config.clientCertificatePEM, let key = config.clientKeyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(cert).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
        } catch {
            throw .configuration("cannot read the Kubernetes CA or client certificate: \(error)")
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(10))
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        http = HTTPClient(eventLoopGroup: group, configuration: configuration)
    }

    /// Closes connections and the event-loop thread.
    public func shutdown() async {
        try? await http.shutdown()
        try? await group.shutdownGracefully()
    }

    /// The token file's read count (tests).
    public var tokenReads: Int { token?.reads ?? 0 }

    private func request(_ path: String, _ query: [(String, String)]) throws(KubernetesError) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: config.server + path + Self.encode(query))
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "vigil")
        if let token {
            request.headers.add(name: "Authorization", value: "Bearer \(try token.current())")
        } else if let fixed = config.token {
            request.headers.add(name: "Authorization", value: "Bearer \(fixed)")
        }
        return request
    }

    /// GET `path` and its whole body; a non-2xx answer throws (410 as `.expired`).
    public func get(_ path: String, query: [(String, String)] = [], timeout: TimeAmount = .seconds(60)) async throws -> Data {
        let request = try request(path, query)
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: timeout) } catch {
            throw KubernetesError.transport("GET \(path): \(error)")
        }
        let body: ByteBuffer
        do { body = try await response.body.collect(upTo: maximumBodyBytes) } catch {
            throw KubernetesError.transport("GET \(path): reading the answer: \(error)")
        }
        try Self.check(response.status, body: Data(body.readableBytesView), path: path)
        return Data(body.readableBytesView)
    }

    /// GET `path` as a watch and calls `line` with each newline-delimited
    /// JSON event as it arrives, until the server ends the stream (returns)
    /// or `line` throws.
    public func stream(_ path: String, query: [(String, String)], timeout: TimeAmount,
                       line: (Data) async throws -> Void) async throws {
        let request = try request(path, query)
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: timeout) } catch {
            throw KubernetesError.transport("watch \(path): \(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            let body = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
            try Self.check(response.status, body: body, path: path)
            return
        }
        var pending = Data()
        do {
            for try await buffer in response.body {
                pending.append(contentsOf: buffer.readableBytesView)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let event = pending[pending.startIndex..<newline]
                    pending = Data(pending[pending.index(after: newline)...])
                    if !event.isEmpty { try await line(Data(event)) }
                }
                if pending.count > maximumBodyBytes {
                    throw KubernetesError.malformed("watch \(path): an event longer than \(maximumBodyBytes) bytes")
                }
            }
        } catch let error as KubernetesError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw KubernetesError.transport("watch \(path): \(error)")
        }
        if !pending.isEmpty { try await line(pending) }
    }

    static func check(_ status: HTTPResponseStatus, body: Data, path: String) throws(KubernetesError) {
        guard !(200..<300).contains(status.code) else { return }
        let message = (try? JSONDecoder().decode(KubernetesStatus.self, from: body))?.message
            ?? String(decoding: body.prefix(200), as: UTF8.self)
        if status.code == 410 { throw .expired(message) }
        throw .status(Int(status.code), "GET \(path): \(message)")
    }

    /// "?a=1&b=x%3Dy" with every value percent-encoded, or "" for no items.
    public static func encode(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return "?" + query.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }
}
