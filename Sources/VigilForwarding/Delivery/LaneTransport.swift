import AsyncHTTPClient

/// The service half of a sink: posts one stored payload to its destination
/// and classifies the answer by that destination's rules.
protocol LaneTransport: Sendable {
    /// `timeoutSeconds` shortens the configured timeout (shutdown's last try).
    func send(_ payload: Payload, timeoutSeconds: Double?) async -> DeliveryOutcome

    /// What an operator should check when this destination refuses a payload with `status`.
    func hint(forRejection status: Int) -> String?
}

extension LaneTransport {
    func hint(forRejection status: Int) -> String? { nil }
}

enum TransportFailure {
    /// A short cause without request details (no URL, header or body).
    static func describe(_ error: Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: type(of: error)) + ": " + "\(error)".prefix(200)
    }
}
