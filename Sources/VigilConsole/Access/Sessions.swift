import Synchronization
import VigilStatus

/// Browser sessions, in memory only: an agent restart logs everyone out,
/// which is what a new auth token means for the CLI too.
public final class Sessions: Sendable {
    public struct Session: Sendable, Equatable {
        public let id: String
        /// Sent back in logout's form; a cross-site page cannot read it.
        public let csrfToken: String
        public let expires: Double
    }

    /// A working day; then `vigil console` again.
    public static let lifetime: Double = 8 * 3600
    static let maxSessions = 64

    private let sessions = Mutex<[String: Session]>([:])

    public init() {}

    public func create(now: Double) -> Session {
        let session = Session(id: RandomSecret.make(), csrfToken: RandomSecret.make(), expires: now + Self.lifetime)
        sessions.withLock { all in
            all = all.filter { $0.value.expires > now }
            if all.count >= Self.maxSessions, let oldest = all.min(by: { $0.value.expires < $1.value.expires }) {
                all.removeValue(forKey: oldest.key)
            }
            all[session.id] = session
        }
        return session
    }

    public func find(_ id: String, now: Double) -> Session? {
        sessions.withLock { all in
            guard let session = all[id] else { return nil }
            guard session.expires > now, RandomSecret.equal(session.id, id) else {
                all.removeValue(forKey: id)
                return nil
            }
            return session
        }
    }

    public func end(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: id) } }
}
