import Synchronization
import VigilStatus

/// One-time login codes. `vigil console` (which holds the status API's
/// token) asks for one and prints it in a URL; the browser trades it for a
/// session cookie. A code works once and for `lifetime` seconds, so the URL
/// left in a shell's history or a browser's address bar is worthless soon
/// after it is used — unlike the token, which must never reach a URL.
public final class LoginCodes: Sendable {
    public static let lifetime: Double = 60
    /// Codes waiting to be used; asking for more evicts the oldest, so a
    /// token holder in a loop cannot grow memory.
    static let maxOutstanding = 16

    private let codes = Mutex<[(code: String, expires: Double)]>([])

    public init() {}

    public func issue(now: Double) -> String {
        let code = RandomSecret.make()
        codes.withLock { list in
            list.removeAll { $0.expires <= now }
            if list.count >= Self.maxOutstanding { list.removeFirst(list.count - Self.maxOutstanding + 1) }
            list.append((code, now + Self.lifetime))
        }
        return code
    }

    /// True once for a live code; the code is gone afterwards either way.
    public func redeem(_ code: String, now: Double) -> Bool {
        codes.withLock { list in
            guard let index = list.firstIndex(where: { RandomSecret.equal($0.code, code) }) else { return false }
            let entry = list.remove(at: index)
            return entry.expires > now
        }
    }
}
