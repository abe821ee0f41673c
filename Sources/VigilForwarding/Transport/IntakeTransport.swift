import AsyncHTTPClient
import Foundation
import NIOCore
import VigilModel

/// Posts payloads to one Datadog site. The API key goes only into the
/// `DD-API-KEY` header: it is never part of a URL, log line or error.
final class IntakeTransport: Sendable {
    private let client: HTTPClient
    private let baseURL: String
    private let apiKey: Secret
    private let timeout: TimeAmount

    /// The process-wide client: it needs no shutdown, so a forwarder that is
    /// dropped without `stop()` (a failed agent start) cannot trip it.
    /// Each request carries its own deadline.
    init(baseURL: String, apiKey: Secret, timeoutSeconds: Double) {
        self.client = HTTPClient.shared
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.timeout = .milliseconds(Int64(timeoutSeconds * 1000))
    }

    /// `timeoutSeconds` shortens the configured timeout (shutdown's last try).
    func send(_ payload: Payload, timeoutSeconds: Double? = nil) async -> DeliveryOutcome {
        var request = HTTPClientRequest(url: baseURL + payload.endpoint.path)
        request.method = .POST
        request.headers.add(name: "DD-API-KEY", value: apiKey.value)
        request.headers.add(name: "Content-Type", value: payload.endpoint.contentType)
        request.headers.add(name: "Content-Encoding", value: payload.encoding.headerValue)
        request.headers.add(name: "User-Agent", value: "vigil/\(VigilVersion.string)")
        request.body = .bytes(ByteBuffer(bytes: payload.body))
        do {
            let limit = timeoutSeconds.map { TimeAmount.milliseconds(Int64(max(1, $0 * 1000))) } ?? timeout
            let response = try await client.execute(request, timeout: min(limit, timeout))
            // Drain (bounded) so the connection can be reused.
            _ = try? await response.body.collect(upTo: 1 << 20)
            return DeliveryOutcome.classify(status: Int(response.status.code))
        } catch {
            return .retry(reason: IntakeTransport.describe(error))
        }
    }

    /// A short cause without request details.
    static func describe(_ error: Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: type(of: error)) + ": " + "\(error)".prefix(200)
    }
}
