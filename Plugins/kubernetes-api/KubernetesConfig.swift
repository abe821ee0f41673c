import Foundation
import Yams

/// Where the API server is and how to prove who we are: read from the
/// service account a pod is given (in-cluster) or from a kubeconfig file.
public struct KubernetesConfig: Sendable, Equatable {
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// "https://host:port", no trailing slash.
    public var server: String
    /// PEM bytes of the CA certificates the server's certificate must chain to.
    public var caPEM: [UInt8]
    /// Where the bearer token is read from (re-read when the file changes), or nil.
    public var tokenFile: String?
    /// A fixed bearer token (kubeconfig `token`), or nil.
    public var token: String?
    /// PEM client certificate and key (kubeconfig `client-certificate(-data)`, `client-key(-data)`), or nil.
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?

    public init(server: String, caPEM: [UInt8], tokenFile: String? = nil, token: String? = nil,
                clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.caPEM = caPEM
        self.tokenFile = tokenFile
        self.token = token
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
    }

    public static let serviceAccountFolder = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The pod's own service account: `KUBERNETES_SERVICE_HOST`/`_PORT`, and the
    /// token and CA under `folder`.
    public static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 folder: String = serviceAccountFolder) throws(Invalid) -> KubernetesConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw Invalid("not in a Kubernetes pod (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset); set `kubeconfig` to reach an API server from elsewhere")
        }
        let ca = folder + "/ca.crt"
        guard let caPEM = FileManager.default.contents(atPath: ca) else {
            throw Invalid("cannot read the service account's CA at \(ca)")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host  // IPv6 literal
        return KubernetesConfig(server: "https://\(hostPart):\(port)", caPEM: Array(caPEM), tokenFile: folder + "/token")
    }

    /// The current context of a kubeconfig file (clusters, users, contexts).
    public static func kubeconfig(path: String) throws(Invalid) -> KubernetesConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw Invalid("cannot read kubeconfig \(path)") }
        let root: Any?
        do { root = try Yams.load(yaml: String(decoding: data, as: UTF8.self)) } catch {
            throw Invalid("kubeconfig \(path) is not valid YAML: \(error)")
        }
        guard let doc = root as? [String: Any] else { throw Invalid("kubeconfig \(path) is not a mapping") }
        let base = (path as NSString).deletingLastPathComponent
        func named(_ list: String, _ name: String, _ field: String) throws(Invalid) -> [String: Any] {
            let items = doc[list] as? [[String: Any]] ?? []
            guard let item = items.first(where: { $0["name"] as? String == name }), let body = item[field] as? [String: Any] else {
                throw Invalid("kubeconfig \(path): no \(field) named \"\(name)\" in \(list)")
            }
            return body
        }
        guard let current = doc["current-context"] as? String, !current.isEmpty else {
            throw Invalid("kubeconfig \(path) has no current-context")
        }
        let context = try named("contexts", current, "context")
        guard let clusterName = context["cluster"] as? String else { throw Invalid("kubeconfig \(path): context \"\(current)\" names no cluster") }
        let cluster = try named("clusters", clusterName, "cluster")
        guard let server = cluster["server"] as? String, server.hasPrefix("https://") else {
            throw Invalid("kubeconfig \(path): cluster \"\(clusterName)\" needs an https:// server (plain HTTP is refused)")
        }
        if cluster["insecure-skip-tls-verify"] as? Bool == true {
            throw Invalid("kubeconfig \(path): insecure-skip-tls-verify is refused; give certificate-authority or certificate-authority-data")
        }
        func bytes(_ map: [String: Any], file: String, data: String) throws(Invalid) -> [UInt8]? {
            if let encoded = map[data] as? String {
                guard let decoded = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                    throw Invalid("kubeconfig \(path): \(data) is not base64")
                }
                return Array(decoded)
            }
            if let file = map[file] as? String {
                let full = file.hasPrefix("/") ? file : base + "/" + file
                guard let contents = FileManager.default.contents(atPath: full) else { throw Invalid("kubeconfig \(path): cannot read \(full)") }
                return Array(contents)
            }
            return nil
        }
        guard let ca = try bytes(cluster, file: "certificate-authority", data: "certificate-authority-data") else {
            throw Invalid("kubeconfig \(path): cluster \"\(clusterName)\" has no certificate-authority; the server's certificate must be verified")
        }
        var config = KubernetesConfig(server: server, caPEM: ca)
        if let userName = context["user"] as? String {
            let user = try named("users", userName, "user")
            config.token = user["token"] as? String
            if let tokenFile = user["tokenFile"] as? String {
                config.tokenFile = tokenFile.hasPrefix("/") ? tokenFile : base + "/" + tokenFile
            }
            config.clientCertificatePEM = try bytes(user, file: "client-certificate", data: "client-certificate-data")
            config.clientKeyPEM = try bytes(user, file: "client-key", data: "client-key-data")
            if (config.clientCertificatePEM == nil) != (config.clientKeyPEM == nil) {
                throw Invalid("kubeconfig \(path): user \"\(userName)\" needs both a client certificate and its key")
            }
        }
        return config
    }
}
