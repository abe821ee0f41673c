import AsyncHTTPClient
import Foundation
import NIOCore
import VigilModel

/// Posts WriteRequests as the remote write 1.0 specification says:
/// snappy block compression, protobuf, the version header; credentials only
/// in headers. Answers: 2xx accepted; 5xx and 429 retried (after the
/// receiver's `Retry-After` when it gives one); 413 split; any other 4xx
/// dropped and counted — retrying a refused batch cannot help.
final class RemoteWriteTransport: LaneTransport {
    private let client = HTTPClient.shared
    private let config: RemoteWriteConfig
    private let timeout: TimeAmount

    init(config: RemoteWriteConfig, timeoutSeconds: Double) {
        self.config = config
        timeout = .milliseconds(Int64(timeoutSeconds * 1000))
    }

    func send(_ payload: Payload, timeoutSeconds: Double?) async -> DeliveryOutcome {
        var request = HTTPClientRequest(url: config.url)
        request.method = .POST
        request.headers.add(name: "Content-Encoding", value: "snappy")
        request.headers.add(name: "Content-Type", value: "application/x-protobuf")
        request.headers.add(name: "X-Prometheus-Remote-Write-Version", value: "0.1.0")
        request.headers.add(name: "User-Agent", value: "vigil/\(VigilVersion.string)")
        if let (user, password) = config.basicAuth {
            let token = Data("\(user):\(password.value)".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic " + token)
        } else if let file = config.bearerTokenFile {
            guard let token = try? String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                  !token.isEmpty else {
                return .retry(reason: "cannot read bearer_token_file \(file)")
            }
            request.headers.add(name: "Authorization", value: "Bearer " + token)
        }
        for header in config.headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: payload.body))
        do {
            let limit = timeoutSeconds.map { TimeAmount.milliseconds(Int64(max(1, $0 * 1000))) } ?? timeout
            let response = try await client.execute(request, timeout: min(limit, timeout))
            // Receivers explain a refusal in the body: keep its start for status.
            let body = (try? await response.body.collect(upTo: 1 << 16)).map { String(buffer: $0) } ?? ""
            return RemoteWriteTransport.classify(status: Int(response.status.code),
                                                 retryAfter: RetryAfter.seconds(response.headers.first(name: "Retry-After")),
                                                 message: body)
        } catch {
            return .retry(reason: TransportFailure.describe(error))
        }
    }

    func hint(forRejection status: Int) -> String? {
        switch status {
        case 401, 403: "the credentials were refused: check basic_auth, bearer_token_file and headers"
        case 400: "the receiver refused the samples (out of order, too old, or a bad label)"
        default: nil
        }
    }

    static func classify(status: Int, retryAfter: Double? = nil, message: String = "") -> DeliveryOutcome {
        let detail = message.isEmpty ? "" : ": " + message.prefix(200).trimmingCharacters(in: .whitespacesAndNewlines)
        switch status {
        case 200..<300: return .accepted
        case 413: return .tooLarge
        case 429, 500...: return .retry(reason: "HTTP \(status)\(detail)", after: retryAfter)
        default: return .rejected(status: status)
        }
    }
}
