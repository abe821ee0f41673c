import AsyncHTTPClient
import Foundation
import NIOCore
import VigilModel

/// Posts payloads to one Datadog site. The API key goes only into the
/// `DD-API-KEY` header: it is never part of a URL, log line or error.
final class DatadogTransport: LaneTransport {
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

    func send(_ payload: Payload, timeoutSeconds: Double? = nil) async -> DeliveryOutcome {
        guard let endpoint = IntakeEndpoint(rawValue: payload.lane) else { return .rejected(status: 0) }
        var request = HTTPClientRequest(url: baseURL + endpoint.path)
        request.method = .POST
        request.headers.add(name: "DD-API-KEY", value: apiKey.value)
        request.headers.add(name: "Content-Type", value: endpoint.contentType)
        request.headers.add(name: "Content-Encoding", value: payload.encoding.headerValue)
        request.headers.add(name: "User-Agent", value: "vigil/\(VigilVersion.string)")
        request.body = .bytes(ByteBuffer(bytes: payload.body))
        do {
            let limit = timeoutSeconds.map { TimeAmount.milliseconds(Int64(max(1, $0 * 1000))) } ?? timeout
            let response = try await client.execute(request, timeout: min(limit, timeout))
            // Drain (bounded) so the connection can be reused.
            _ = try? await response.body.collect(upTo: 1 << 20)
            return DatadogTransport.classify(status: Int(response.status.code),
                                             retryAfter: RetryAfter.seconds(response.headers.first(name: "Retry-After")))
        } catch {
            return .retry(reason: TransportFailure.describe(error))
        }
    }

    func hint(forRejection status: Int) -> String? {
        switch status {
        case 401, 403: "the API key was refused: check api_key, and that dd_url is the intake of the key's site"
        case 400: "the intake could not read the payload"
        default: nil
        }
    }

    /// 5xx, 404, 408 and 429 are retried; 413 splits, 415 falls back to
    /// deflate; any other 4xx drops the payload.
    static func classify(status: Int, retryAfter: Double? = nil) -> DeliveryOutcome {
        switch status {
        case 200..<300: .accepted
        case 413: .tooLarge
        case 415: .unsupportedEncoding
        // 404 is usually a proxy or site being reconfigured, 408 and 429
        // say "later": none of them condemns the payload.
        case 404, 408, 429: .retry(reason: "HTTP \(status)", after: retryAfter)
        case 400..<500: .rejected(status: status)
        default: .retry(reason: "HTTP \(status)", after: retryAfter)
        }
    }
}
