import Foundation

/// The settings both Kubernetes modules share, read from their options
/// (instance first, then vigil.yaml).
public struct ClusterAccess: Sendable {
    public var config: KubernetesConfig
    /// Objects per list page (`limit`).
    public var pageSize = 500
    /// Seconds the server keeps each watch open.
    public var watchTimeout = 300

    public init(config: KubernetesConfig) { self.config = config }

    /// `kubeconfig` when set, the pod's service account otherwise; `kubernetes_page_size`,
    /// `kubernetes_watch_timeout`. `lookup` answers an option as text or nil.
    public static func load(_ lookup: (String) -> String?) throws -> ClusterAccess {
        let config: KubernetesConfig
        if let path = lookup("kubeconfig"), !path.isEmpty {
            config = try KubernetesConfig.kubeconfig(path: path)
        } else {
            config = try KubernetesConfig.inCluster()
        }
        var access = ClusterAccess(config: config)
        if let text = lookup("kubernetes_page_size"), !text.isEmpty {
            guard let size = Int(text), size >= 1 else {
                throw KubernetesConfig.Invalid("kubernetes_page_size must be a whole number >= 1, got \"\(text)\"")
            }
            access.pageSize = size
        }
        if let text = lookup("kubernetes_watch_timeout"), !text.isEmpty {
            guard let seconds = Int(text), seconds >= 1 else {
                throw KubernetesConfig.Invalid("kubernetes_watch_timeout must be a whole number of seconds >= 1, got \"\(text)\"")
            }
            access.watchTimeout = seconds
        }
        return access
    }
}
