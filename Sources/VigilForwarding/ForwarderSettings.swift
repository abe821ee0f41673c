import Foundation
import VigilConfig

/// The forwarder's keys in vigil.yaml, each overridable as `VIGIL_<KEY>`:
/// which destinations are on, and what they share.
public struct ForwarderSettings: Sendable {
    public var runPath: String
    /// Datadog's intake, when `dd_url` is set.
    var datadog: DatadogConfig?
    /// `prometheus_remote_write:`, when its `url` is set.
    var remoteWrite: RemoteWriteConfig?
    /// `local_store` (default true): the embedded store `vigil query` reads.
    public var localStore = true
    /// `prometheus_scrape`: serve `GET /metrics`.
    public var prometheusScrape = false
    /// `forwarder_storage_max_size`, bytes (suffixes KB/MB/GB accepted):
    /// each remote destination's outbox bound unless it sets its own.
    public var outboxMaxBytes: Int = 100 << 20
    /// `local_store_retention`, seconds (`24h`, `90m`, `3600` accepted).
    public var localRetentionSeconds: Int64 = 24 * 3600
    /// `local_store_max_size`, bytes: beyond it the oldest points go first.
    /// A point takes about 57 bytes with its indexes: 1 GiB holds a day of
    /// some 2,000 series at one point every 10 s (docs/forwarding.md).
    public var localStoreMaxBytes: Int = 1 << 30
    public var delivery = DeliverySettings()
    /// `forwarder_queue_size`: flushes waiting to be encoded and stored, per destination.
    public var queueSize: Int = 64
    /// `forwarder_stop_timeout`: seconds for the last send at shutdown.
    public var stopTimeoutSeconds: Double = 5

    public var usesIntake: Bool { datadog != nil }

    public init(config: AgentConfig) throws {
        let file = config.file ?? "<defaults>"
        func invalid(_ key: String, _ why: String) -> ConfigError {
            ConfigError(file: file, at: config.value(key), "\(key): \(why)")
        }
        runPath = config.runPath
        if let text = config.string("forwarder_storage_max_size") {
            guard let bytes = ByteSize.parse(text), bytes > 0 else {
                throw invalid("forwarder_storage_max_size", "expected a size in bytes, e.g. 104857600 or 100MB")
            }
            outboxMaxBytes = bytes
        }
        if let text = config.string("forwarder_unstored_max_size") {
            guard let bytes = ByteSize.parse(text), bytes > 0 else {
                throw invalid("forwarder_unstored_max_size", "expected a size in bytes, e.g. 33554432 or 32MB")
            }
            delivery.unstoredMaxBytes = bytes
        }
        datadog = try DatadogConfig(config: config, invalid: invalid)
        remoteWrite = try RemoteWriteConfig(config: config, defaultStorageBytes: outboxMaxBytes, invalid: invalid)
        if config.value("local_store") != nil {
            guard let on = config.bool("local_store") else { throw invalid("local_store", "expected true or false") }
            localStore = on
        }
        if config.value("prometheus_scrape") != nil {
            guard let on = config.bool("prometheus_scrape") else { throw invalid("prometheus_scrape", "expected true or false") }
            prometheusScrape = on
        }
        if let text = config.string("local_store_retention") {
            guard let seconds = DurationText.seconds(text), seconds > 0 else {
                throw invalid("local_store_retention", "expected a duration, e.g. 24h, 90m or 3600")
            }
            localRetentionSeconds = seconds
        }
        if let text = config.string("local_store_max_size") {
            guard let bytes = ByteSize.parse(text), bytes >= 1 << 20 else {
                throw invalid("local_store_max_size", "expected a size of at least 1MB, e.g. 1GB or 268435456")
            }
            localStoreMaxBytes = bytes
        }
        func positive(_ key: String) throws -> Double? {
            guard config.value(key) != nil else { return nil }
            guard let v = config.double(key), v > 0 else { throw invalid(key, "expected a positive number of seconds") }
            return v
        }
        delivery.timeoutSeconds = try positive("forwarder_timeout") ?? delivery.timeoutSeconds
        delivery.backoffBase = try positive("forwarder_backoff_base") ?? delivery.backoffBase
        delivery.backoffCap = try positive("forwarder_backoff_max") ?? delivery.backoffCap
        stopTimeoutSeconds = try positive("forwarder_stop_timeout") ?? stopTimeoutSeconds
        if config.value("forwarder_queue_size") != nil {
            guard let size = config.int("forwarder_queue_size"), size >= 1 else {
                throw invalid("forwarder_queue_size", "expected a whole number of flushes, at least 1")
            }
            queueSize = size
        }
    }

    public var databasePath: String { VigilDatabase.path(runPath: runPath) }
}

/// What every remote destination's lanes share.
public struct DeliverySettings: Sendable {
    /// `forwarder_timeout`, seconds per request.
    public var timeoutSeconds: Double = 20
    /// How long payloads may wait undelivered before their lane makes the agent
    /// not ready: three request timeouts (a minute by default), at least 10 s.
    public var healthDeadline: Double { max(10, 3 * timeoutSeconds) }
    /// `forwarder_backoff_base` / `forwarder_backoff_max`, seconds.
    public var backoffBase: Double = 2
    public var backoffCap: Double = 64
    /// `forwarder_unstored_max_size`, bytes per destination: flushes its
    /// storage could not take (a full disk) wait in memory up to this much.
    public var unstoredMaxBytes: Int = 32 << 20
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
