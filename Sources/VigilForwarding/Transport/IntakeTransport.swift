import AsyncHTTPClient
import Foundation
import NIOCore
import VigilModel

/// Posts payloads to one Datadog site. The API key goes only into the
/// `DD-API-KEY` header: it is never part of a URL, log line or error.
final class IntakeTransport: Sendable {
    private let client: HTTPClient
    private let baseURL: String
    private let apiKey: String
    private let timeout: TimeAmount

    init(baseURL: String, apiKey: String, timeoutSeconds: Double) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: .milliseconds(Int64(timeoutSeconds * 1000)))
        configuration.httpVersion = .http1Only
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.timeout = .milliseconds(Int64(timeoutSeconds * 1000))
    }

    func send(_ payload: Payload) async -> DeliveryOutcome {
        var request = HTTPClientRequest(url: baseURL + payload.endpoint.path)
        request.method = .POST
        request.headers.add(name: "DD-API-KEY", value: apiKey)
        request.headers.add(name: "Content-Type", value: payload.endpoint.contentType)
        request.headers.add(name: "Content-Encoding", value: payload.encoding.headerValue)
        request.headers.add(name: "User-Agent", value: "vigil/\(VigilVersion.string)")
        request.body = .bytes(ByteBuffer(bytes: payload.body))
        do {
            let response = try await client.execute(request, timeout: timeout)
            // Drain (bounded) so the connection can be reused.
            _ = try? await response.body.collect(upTo: 1 << 20)
            return DeliveryOutcome.classify(status: Int(response.status.code))
        } catch {
            return .retry(reason: IntakeTransport.describe(error))
        }
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// A short cause without request details.
    static func describe(_ error: Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: type(of: error)) + ": " + "\(error)".prefix(200)
    }
}
