import Foundation

/// What to do with a payload after its destination answered (or did not).
/// Each transport classifies its destination's answers by that
/// destination's documented rules.
enum DeliveryOutcome: Equatable, Sendable {
    case accepted
    /// Refused for good: retrying cannot help.
    case rejected(status: Int)
    /// 413: split it and send the halves.
    case tooLarge
    /// 415: the destination does not take this Content-Encoding.
    case unsupportedEncoding
    /// Try again later; `after` is the destination's own `Retry-After`, in seconds.
    case retry(reason: String, after: Double? = nil)
}

/// `Retry-After` as delta-seconds (the HTTP-date form is rare from
/// metrics backends and is treated as absent).
enum RetryAfter {
    static func seconds(_ header: String?) -> Double? {
        guard let header, let value = Double(header.trimmingCharacters(in: .whitespaces)), value >= 0, value.isFinite
        else { return nil }
        return min(value, 3600)
    }
}
