import Synchronization
import VigilModel

/// Paths the status server answers, registered by the agent.
final class StatusRoutes: Sendable {
    enum Route: Sendable {
        case json(@Sendable ([String: String]) -> JSONValue)
        case text(contentType: String, authenticated: Bool, @Sendable () -> String)
        /// A probe for kubelet and load balancers: no token, 200 when healthy, else 503,
        /// and a body that names components and states only.
        case probe(@Sendable () -> (healthy: Bool, body: JSONValue))
    }

    private let routes = Mutex<[String: Route]>([:])

    func set(_ path: String, _ route: Route) { routes.withLock { $0[path] = route } }
    func get(_ path: String) -> Route? { routes.withLock { $0[path] } }
    var paths: [String] { routes.withLock { $0.keys.sorted() } }
}
