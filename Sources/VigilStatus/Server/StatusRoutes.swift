import Synchronization
import VigilModel

/// Paths the status server answers, registered by the agent.
final class StatusRoutes: Sendable {
    enum Route: Sendable {
        case json(@Sendable ([String: String]) -> JSONValue)
        case text(contentType: String, authenticated: Bool, @Sendable () -> String)
    }

    private let routes = Mutex<[String: Route]>([:])

    func set(_ path: String, _ route: Route) { routes.withLock { $0[path] = route } }
    func get(_ path: String) -> Route? { routes.withLock { $0[path] } }
    var paths: [String] { routes.withLock { $0.keys.sorted() } }
}
