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
        /// Every path under a prefix (the console), any method, its own access control.
        case web(WebHandler)
    }

    private let routes = Mutex<[String: Route]>([:])
    private let prefixes = Mutex<[(prefix: String, handler: WebHandler)]>([])

    func set(_ path: String, _ route: Route) { routes.withLock { $0[path] = route } }

    /// `prefix` and every path below it (`/console`, `/console/…`).
    func setWeb(prefix: String, _ handler: @escaping WebHandler) {
        prefixes.withLock { $0.append((prefix, handler)); $0.sort { $0.prefix.count > $1.prefix.count } }
    }

    /// An exact path first, then the longest web prefix that contains it.
    func get(_ path: String) -> Route? {
        if let exact = routes.withLock({ $0[path] }) { return exact }
        return prefixes.withLock { list in
            list.first { path == $0.prefix || path.hasPrefix($0.prefix + "/") }.map { Route.web($0.handler) }
        }
    }
    var paths: [String] { routes.withLock { $0.keys.sorted() } }
}
