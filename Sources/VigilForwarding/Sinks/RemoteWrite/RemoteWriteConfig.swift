import Foundation
import VigilConfig

/// `prometheus_remote_write:` in vigil.yaml — one Prometheus-compatible
/// receiver (Prometheus, Thanos, Mimir, Cortex, VictoriaMetrics):
///
///     prometheus_remote_write:
///       url: http://127.0.0.1:9090/api/v1/write
///       basic_auth: { username: vigil, password: ... }   # or bearer_token_file
///       headers: { X-Scope-OrgID: team-a }
///       series_per_request: 2000
///       storage_max_size: 100MB
struct RemoteWriteConfig: Sendable {
    var url: String
    var basicAuth: (username: String, password: Secret)?
    /// Read at every request, so a rotated token is picked up.
    var bearerTokenFile: String?
    var headers: [(name: String, value: String)] = []
    /// TimeSeries per request (one per series and flush, usually one sample each).
    var seriesPerRequest = 2000
    /// This destination's share of the outbox.
    var storageMaxBytes: Int

    /// Headers the protocol sets itself; configuring them is an error, as in Prometheus.
    static let reservedHeaders: Set<String> = [
        "authorization", "content-encoding", "content-type", "content-length", "host", "user-agent",
        "x-prometheus-remote-write-version",
    ]

    static let key = "prometheus_remote_write"

    /// nil when `prometheus_remote_write` is not configured.
    init?(config: AgentConfig, defaultStorageBytes: Int, invalid: (String, String) -> ConfigError) throws {
        let k = RemoteWriteConfig.key
        guard let url = config.string("\(k).url")?.trimmingCharacters(in: .whitespaces), !url.isEmpty else {
            if let node = config.value(k), !node.isNull {
                throw invalid(k, "url is required, e.g. url: http://127.0.0.1:9090/api/v1/write")
            }
            return nil
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url)?.host != nil else {
            throw invalid("\(k).url", "expected an http(s) URL such as http://127.0.0.1:9090/api/v1/write")
        }
        self.url = url
        storageMaxBytes = defaultStorageBytes
        if let user = config.string("\(k).basic_auth.username") {
            guard let password = config.string("\(k).basic_auth.password") else {
                throw invalid("\(k).basic_auth", "username is set but password is missing")
            }
            basicAuth = (user, Secret(password))
        }
        if let file = config.path("\(k).bearer_token_file") {
            guard basicAuth == nil else { throw invalid("\(k).bearer_token_file", "use either basic_auth or bearer_token_file, not both") }
            bearerTokenFile = file
        }
        for (name, node) in config.value("\(k).headers")?.mapping ?? [] {
            guard !RemoteWriteConfig.reservedHeaders.contains(name.lowercased()) else {
                throw invalid("\(k).headers", "\(name) is set by the protocol and cannot be configured")
            }
            guard let value = node.string else { throw invalid("\(k).headers", "\(name): expected a string") }
            headers.append((name, value))
        }
        if config.value("\(k).series_per_request") != nil {
            guard let n = config.int("\(k).series_per_request"), n >= 1 else {
                throw invalid("\(k).series_per_request", "expected a whole number, at least 1")
            }
            seriesPerRequest = n
        }
        if let text = config.string("\(k).storage_max_size") {
            guard let bytes = ByteSize.parse(text), bytes > 0 else {
                throw invalid("\(k).storage_max_size", "expected a size in bytes, e.g. 104857600 or 100MB")
            }
            storageMaxBytes = bytes
        }
    }
}
