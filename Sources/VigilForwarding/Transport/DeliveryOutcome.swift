/// What to do with a payload after the intake answered (or did not).
enum DeliveryOutcome: Equatable, Sendable {
    case accepted
    /// Refused for good (400, 401, 403, other 4xx): retrying cannot help.
    case rejected(status: Int)
    /// 413: split it and send the halves.
    case tooLarge
    /// 415: the intake does not take this Content-Encoding.
    case unsupportedEncoding
    /// 5xx, 404, 408, 429, timeouts, refused connections: try again later.
    case retry(reason: String)

    static func classify(status: Int) -> DeliveryOutcome {
        switch status {
        case 200..<300: .accepted
        case 413: .tooLarge
        case 415: .unsupportedEncoding
        // 404 is usually a proxy or site being reconfigured, 408 and 429
        // say "later": none of them condemns the payload.
        case 404, 408, 429: .retry(reason: "HTTP \(status)")
        case 400..<500: .rejected(status: status)
        default: .retry(reason: "HTTP \(status)")
        }
    }
}
