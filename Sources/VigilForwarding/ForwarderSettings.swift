import Foundation
import VigilConfig

/// The forwarder's keys in vigil.yaml, each overridable as `VIGIL_<KEY>`.
public struct ForwarderSettings: Sendable {
    /// Datadog site base URL, e.g. `https://api.datadoghq.com`; nil selects
    /// the local store.
    public var ddURL: String?
    /// Never logged, never shown in status; redacted when printed.
    var apiKey: Secret?
    public var runPath: String
    /// `forwarder_storage_max_size`, bytes (suffixes KB/MB/GB accepted).
    public var outboxMaxBytes: Int = 100 << 20
    /// `local_store_retention`, seconds (`24h`, `90m`, `3600` accepted).
    public var localRetentionSeconds: Int64 = 24 * 3600
    /// `forwarder_timeout`, seconds per request.
    public var timeoutSeconds: Double = 20
    /// `forwarder_backoff_base` / `forwarder_backoff_max`, seconds.
    public var backoffBase: Double = 2
    public var backoffCap: Double = 64
    /// `forwarder_compression`: zstd (default; deflate on the v1 routes,
    /// which document only deflate) or deflate everywhere.
    public var compression: ContentEncoding = .zstd
    /// `forwarder_queue_size`: flushes waiting to be encoded and stored.
    public var queueSize: Int = 64
    /// `forwarder_stop_timeout`: seconds for the last send at shutdown.
    public var stopTimeoutSeconds: Double = 5
    public var limits = PayloadLimits()

    public var usesIntake: Bool { ddURL != nil }

    public init(config: AgentConfig) throws {
        let file = config.file ?? "<defaults>"
        func invalid(_ key: String, _ why: String) -> ConfigError {
            ConfigError(file: file, at: config.value(key), "\(key): \(why)")
        }
        runPath = config.runPath
        if let url = config.string("dd_url")?.trimmingCharacters(in: .whitespaces), !url.isEmpty {
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url)?.host != nil else {
                throw invalid("dd_url", "expected an http(s) URL such as https://api.datadoghq.com")
            }
            ddURL = url
            guard let key = config.string("api_key"), !key.isEmpty else {
                throw invalid("dd_url", "dd_url is set but api_key (or VIGIL_API_KEY) is missing")
            }
            apiKey = Secret(key)
        }
        if let text = config.string("forwarder_storage_max_size") {
            guard let bytes = ForwarderSettings.bytes(text), bytes > 0 else {
                throw invalid("forwarder_storage_max_size", "expected a size in bytes, e.g. 104857600 or 100MB")
            }
            outboxMaxBytes = bytes
        }
        if let text = config.string("local_store_retention") {
            guard let seconds = DurationText.seconds(text), seconds > 0 else {
                throw invalid("local_store_retention", "expected a duration, e.g. 24h, 90m or 3600")
            }
            localRetentionSeconds = seconds
        }
        func positive(_ key: String) throws -> Double? {
            guard config.value(key) != nil else { return nil }
            guard let v = config.double(key), v > 0 else { throw invalid(key, "expected a positive number of seconds") }
            return v
        }
        timeoutSeconds = try positive("forwarder_timeout") ?? timeoutSeconds
        backoffBase = try positive("forwarder_backoff_base") ?? backoffBase
        backoffCap = try positive("forwarder_backoff_max") ?? backoffCap
        stopTimeoutSeconds = try positive("forwarder_stop_timeout") ?? stopTimeoutSeconds
        if let text = config.string("forwarder_compression") {
            guard let encoding = ContentEncoding(header: text) else { throw invalid("forwarder_compression", "expected zstd or deflate") }
            compression = encoding
        }
        if config.value("forwarder_queue_size") != nil {
            guard let size = config.int("forwarder_queue_size"), size >= 1 else {
                throw invalid("forwarder_queue_size", "expected a whole number of flushes, at least 1")
            }
            queueSize = size
        }
    }

    public var databasePath: String { VigilDatabase.path(runPath: runPath) }

    func encoding(for endpoint: IntakeEndpoint) -> ContentEncoding {
        compression == .deflate ? .deflate : endpoint.preferredEncoding
    }

    static func bytes(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(String, Int)] = [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            return Int(trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)).map { $0 * factor }
        }
        return Int(trimmed)
    }
}

/// `10m`, `24h`, `2d`, `30s` or a bare number of seconds.
public enum DurationText {
    public static func seconds(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Int64)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604_800)]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            return Int64(trimmed.dropLast()).map { $0 * factor }
        }
        return Int64(trimmed)
    }
}

/// A string that prints as `<redacted>`, also under `dump` and `Mirror`,
/// so that logging a settings value cannot leak it.
struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String
    init(_ value: String) { self.value = value }
    var description: String { "<redacted>" }
    var debugDescription: String { "<redacted>" }
    var customMirror: Mirror { Mirror(self, children: [:]) }
}
