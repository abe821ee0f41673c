import Foundation

/// Per-lane breaker. Closed while sends succeed; each failure opens it
/// for an exponential backoff (base × 2^(failures-1), capped, with jitter
/// so that many agents do not retry in step); once that passes it is half
/// open and lets one probe through, whose success closes it again.
struct CircuitBreaker: Sendable {
    enum State: String, Sendable { case closed, open, halfOpen = "half_open" }

    let base: Double
    let cap: Double
    private(set) var consecutiveFailures = 0
    private(set) var openUntil: Double = 0

    init(base: Double = 2, cap: Double = 64) {
        self.base = base
        self.cap = cap
    }

    func state(at now: Double) -> State {
        if consecutiveFailures == 0 { return .closed }
        return now < openUntil ? .open : .halfOpen
    }

    /// Seconds to wait before the next send; 0 when allowed now.
    func delay(at now: Double) -> Double { max(0, openUntil - now) }

    mutating func recordSuccess() {
        consecutiveFailures = 0
        openUntil = 0
    }

    /// Returns the backoff applied: never shorter than `atLeast`, the
    /// destination's own `Retry-After`.
    @discardableResult
    mutating func recordFailure(at now: Double, atLeast: Double = 0, jitter: Double = Double.random(in: 0.5...1)) -> Double {
        consecutiveFailures += 1
        let backoff = max(atLeast, CircuitBreaker.backoff(failures: consecutiveFailures, base: base, cap: cap) * jitter)
        openUntil = now + backoff
        return backoff
    }

    static func backoff(failures: Int, base: Double, cap: Double) -> Double {
        guard failures > 0 else { return 0 }
        return min(cap, base * pow(2, Double(min(failures - 1, 30))))
    }
}
