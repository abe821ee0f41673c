import Foundation
import VigilConfig

/// Datadog's intake: `dd_url` and `api_key`, plus the forwarder keys that
/// predate other destinations (`forwarder_*`), which keep their meaning.
struct DatadogConfig: Sendable {
    /// Site base URL, e.g. `https://api.datadoghq.com`.
    var url: String
    /// Never logged, never shown in status; redacted when printed.
    var apiKey: Secret
    /// `forwarder_compression`: zstd (default; deflate on the v1 routes,
    /// which document only deflate) or deflate everywhere.
    var compression: ContentEncoding = .zstd
    var limits = PayloadLimits()

    /// nil when `dd_url` is not set.
    init?(config: AgentConfig, invalid: (String, String) -> ConfigError) throws {
        guard let url = config.string("dd_url")?.trimmingCharacters(in: .whitespaces), !url.isEmpty else { return nil }
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url)?.host != nil else {
            throw invalid("dd_url", "expected an http(s) URL such as https://api.datadoghq.com")
        }
        guard let key = config.string("api_key"), !key.isEmpty else {
            throw invalid("dd_url", "dd_url is set but api_key (or VIGIL_API_KEY) is missing")
        }
        self.url = url
        apiKey = Secret(key)
        if let text = config.string("forwarder_compression") {
            guard let encoding = ContentEncoding(header: text), encoding != .snappy else {
                throw invalid("forwarder_compression", "expected zstd or deflate")
            }
            compression = encoding
        }
    }

    func encoding(for endpoint: IntakeEndpoint) -> ContentEncoding {
        compression == .deflate ? .deflate : endpoint.preferredEncoding
    }
}
