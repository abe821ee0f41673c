/// What vigil.yaml says that the agent would silently ignore: keys no part of
/// Vigil reads (`flush_intervall`) and values outside a setting's known set
/// (`log_level: verbose`), each with the nearest known spelling. Warnings,
/// not errors: an agent keeps running on a typo, but says so at start and in
/// `vigil configcheck`.
public enum ConfigLint {
    /// Every top-level key of vigil.yaml that the core or a shipped module reads
    /// (modules read theirs through `config_value` as a fallback for instances).
    public static let knownKeys: Set<String> = [
        // core
        "hostname", "tags", "modules_path", "confd_path", "run_path", "log_level", "check_runners", "flush_interval",
        "module_run_timeout", "stop_timeout", "module_isolation", "module_memory_limit",
        "cmd_address", "cmd_tls_cert_file", "cmd_tls_key_file", "cmd_insecure", "proc_root",
        // the web console (docs/console.md)
        "console", "console_allow_remote",
        // forwarding
        "api_key", "dd_url", "forwarder_compression", "forwarder_queue_size", "forwarder_storage_max_size",
        "forwarder_timeout", "forwarder_backoff_base", "forwarder_backoff_max", "forwarder_stop_timeout",
        "forwarder_unstored_max_size",
        "local_store", "local_store_retention", "local_store_max_size", "prometheus_scrape", "prometheus_remote_write",
        // tagging
        "container_env_as_tags", "container_labels_as_tags",
        // DogStatsD
        "dogstatsd_socket", "dogstatsd_socket_dir", "dogstatsd_stream_socket", "dogstatsd_port", "dogstatsd_non_local_traffic",
        "dogstatsd_buffer_size", "dogstatsd_so_rcvbuf", "dogstatsd_socket_queue_length", "dogstatsd_origin_detection",
        "dogstatsd_tag_cardinality", "dogstatsd_expiry_seconds", "dogstatsd_queue_size", "dogstatsd_pipeline_count",
        "dogstatsd_tags", "dogstatsd_mapper_profiles", "dogstatsd_mapper_cache_size", "statsd_metric_namespace",
        "dogstatsd_context_limit", "dogstatsd_context_limit_per_origin", "dogstatsd_tags_per_sample_limit",
        "dogstatsd_tag_length_limit",
        "statsd_metric_namespace_blacklist", "metric_filterlist", "metric_filterlist_match_prefix",
        "histogram_copy_to_distribution", "histogram_copy_to_distribution_prefix",
        // shipped modules' agent-wide fallbacks
        "containerd_socket", "containerd_namespaces", "containerd_resync_interval", "container_network_refresh_interval",
        "containerd_image_cache", "containerd_image_reads", "containerd_image_read_connections",
        // gates and Kubernetes (docs/kubernetes.md)
        "autoscaling_enabled", "autoscaling_close_after", "kubeconfig", "kubernetes_node_name", "kubernetes_page_size",
        "kubernetes_watch_timeout", "autoscaling_namespaces", "autoscaling_recommendations",
    ]

    /// Settings whose value must be one of a known set.
    public static let knownValues: [String: [String]] = [
        "log_level": ["trace", "debug", "info", "notice", "warning", "warn", "error", "critical"],
        "dogstatsd_tag_cardinality": ["none", "low", "orchestrator", "orch", "high"],
        "forwarder_compression": ["zstd", "deflate"],
    ]

    public struct Warning: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "\(file):\(line):\(column): \(message)" }
    }

    /// The warnings for a configuration file's top level.
    public static func warnings(_ root: ConfigNode?, file: String) -> [Warning] {
        guard case let .mapping(pairs)? = root?.value else { return [] }
        var out: [Warning] = []
        for (key, node) in pairs {
            if !knownKeys.contains(key) {
                let hint = nearest(key, in: knownKeys).map { "; did you mean `\($0)`?" } ?? ""
                out.append(Warning(file: file, line: node.line, column: node.column,
                                   message: "unknown setting `\(key)` is ignored\(hint)"))
            } else if let allowed = knownValues[key], let value = node.string, !allowed.contains(value.lowercased()) {
                let hint = nearest(value.lowercased(), in: Set(allowed)).map { "did you mean `\($0)`? " } ?? ""
                out.append(Warning(file: file, line: node.line, column: node.column,
                                   message: "`\(key): \(value)` is not a known value; \(hint)expected one of \(allowed.joined(separator: ", "))"))
            }
        }
        return out
    }

    /// The closest candidate within a third of the word's length in edits (at least 2), if any.
    public static func nearest(_ word: String, in candidates: Set<String>) -> String? {
        let limit = max(2, word.count / 3)
        let scored = candidates.map { ($0, distance(word, $0)) }.filter { $0.1 <= limit }
        return scored.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension AgentConfig {
    /// Unknown keys and values of this configuration's file (none on embedded defaults), and
    /// settings that expose credentials on the network.
    public var lintWarnings: [ConfigLint.Warning] {
        ConfigLint.warnings(root, file: file ?? "<inline>") + exposureWarnings + stopWarnings
    }

    /// The last send at stop (`forwarder_stop_timeout`) happens within
    /// `stop_timeout`, after the checks' and collectors' share: set as long
    /// or longer, it is cut short.
    var stopWarnings: [ConfigLint.Warning] {
        guard let send = double("forwarder_stop_timeout"), send >= stopTimeout else { return [] }
        let node = root?["forwarder_stop_timeout"]
        return [ConfigLint.Warning(file: file ?? "<inline>", line: node?.line ?? 0, column: node?.column ?? 0,
                                   message: "forwarder_stop_timeout (\(send) s) is not shorter than stop_timeout (\(stopTimeout) s), which bounds the whole stop: the last send gets what the stop has left")]
    }

    /// Credentials in clear text beyond this host: an `http://` intake gets the API key, a
    /// `cmd_address` other hosts can reach gets the status API's token; and a DogStatsD
    /// socket whose folder, once mounted into a container, shows the token too.
    var exposureWarnings: [ConfigLint.Warning] {
        var out: [ConfigLint.Warning] = []
        func warn(_ key: String, _ message: String) {
            let node = root?[key]
            out.append(ConfigLint.Warning(file: file ?? "<inline>", line: node?.line ?? 0, column: node?.column ?? 0,
                                          message: message))
        }
        if let url = string("dd_url"), url.lowercased().hasPrefix("http://"), !ConfigLint.isLoopback(hostOf: url) {
            warn("dd_url", "dd_url \(url) is plain http: the API key crosses the network in clear text; use https")
        }
        if let address = string("cmd_address"), !ConfigLint.isLoopback(hostOf: address), string("cmd_tls_cert_file") == nil {
            warn("cmd_address", "cmd_address \(address) is reachable from other hosts, and the status API and its token travel in clear text (cmd_insecure); set cmd_tls_cert_file and cmd_tls_key_file, or bind 127.0.0.1")
        }
        for (key, socket) in socketsBesideSecrets {
            warn(key, "\(key) \(socket) is inside run_path: a container that mounts its folder can read the status API's token and every stored series; leave \(key) unset and use dogstatsd_socket_dir")
        }
        return out
    }
}

extension ConfigLint {
    /// True when a URL's or `host:port` address's host is this machine only.
    public static func isLoopback(hostOf address: String) -> Bool {
        var rest = Substring(address)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        var host = String(rest)
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":"), host.filter({ $0 == ":" }).count == 1 {
            host = String(host[..<colon])
        }
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
