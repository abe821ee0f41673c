import Foundation
import VigilModel

/// vigil.yaml after environment overrides. The core settings are typed
/// properties; every other component reads its own keys through the typed
/// accessors, which apply `VIGIL_<UPPER_KEY>` overrides the same way.
public struct AgentConfig: Sendable {
    /// The file it came from; nil when running on embedded defaults.
    public let file: String?
    /// Folder relative paths are resolved against.
    public let baseDirectory: String
    let root: ConfigNode?
    let environment: [String: String]

    public let hostname: String
    public let tags: [String]
    public let modulesPath: [String]
    /// True when `modules_path` was not set and the executable's folder is
    /// scanned; that folder also holds other libraries, so only the shipped
    /// `libvigil-*.so` files are considered there.
    public let modulesPathIsDefault: Bool
    public let confdPath: [String]
    public let runPath: String
    public let logLevel: String
    public let checkRunners: Int
    /// Seconds.
    public let flushInterval: Int
    /// `module_run_timeout`, seconds: a check run still going after this is
    /// counted failed and abandoned (it cannot be interrupted); 0 = never.
    public let moduleRunTimeout: Double
    /// `stop_timeout`, seconds: the most a stop (SIGTERM) takes, whatever a
    /// module does. Below the 30 s that kubelet and the systemd unit grant
    /// before SIGKILL, so the agent says itself what it abandoned.
    public let stopTimeout: Double
    /// `module_isolation`: where module instances run unless their check's
    /// init_config says otherwise — `in_process` or `process`.
    public let moduleIsolation: ModuleIsolation
    /// `module_memory_limit`, bytes: an isolated instance's child process
    /// above this RSS is killed and restarted; 0 = no limit.
    public let moduleMemoryLimit: Int

    /// Loads `path`. A missing file is an error unless `allowMissing`, in
    /// which case the embedded defaults apply.
    public static func load(path: String?, allowMissing: Bool = false,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> AgentConfig {
        var root: ConfigNode?
        var file: String?
        if let path {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                root = try YAMLLoader.load(text, file: path)
                file = path
                if let root, root.mapping == nil, !root.isNull {
                    throw ConfigError(file: path, at: root, "vigil.yaml must be a mapping of settings")
                }
            } else if !allowMissing {
                throw ConfigError(file: path, line: 0, column: 0, reason: "cannot read configuration file")
            }
        }
        let base = file.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
            ?? FileManager.default.currentDirectoryPath
        return try AgentConfig(file: file, base: base, root: root, environment: environment)
    }

    /// Embedded defaults overlaid with `yaml` (for tests and tools).
    public static func fromYAML(_ yaml: String, baseDirectory: String,
                                environment: [String: String] = [:]) throws(ConfigError) -> AgentConfig {
        let root = try YAMLLoader.load(yaml, file: "<inline>")
        return try AgentConfig(file: nil, base: baseDirectory, root: root, environment: environment)
    }

    init(file: String?, base: String, root: ConfigNode?, environment: [String: String]) throws(ConfigError) {
        self.file = file
        self.baseDirectory = base
        self.root = root
        self.environment = environment
        let where_ = file ?? "<defaults>"

        func value(_ key: String) -> ConfigNode? { AgentConfig.lookup(key, root: root, environment: environment) }
        func check<T>(_ key: String, _ parsed: T?) throws(ConfigError) -> T? {
            if value(key) != nil, parsed == nil {
                throw ConfigError(file: where_, at: root?[key], "invalid value for \(key)")
            }
            return parsed
        }

        let host = try check("hostname", value("hostname")?.string) ?? ""
        self.hostname = host.isEmpty ? AgentConfig.systemHostname() : host
        self.tags = try check("tags", value("tags")?.strings) ?? []
        let modules = try check("modules_path", value("modules_path")?.strings) ?? []
        self.confdPath = (try check("confd_path", value("confd_path")?.strings) ?? ["conf.d"]).map { AgentConfig.resolve($0, base) }
        self.runPath = AgentConfig.resolve(try check("run_path", value("run_path")?.string) ?? "run", base)
        self.logLevel = try check("log_level", value("log_level")?.string) ?? "info"
        let runners = try check("check_runners", value("check_runners")?.int) ?? 4
        let flush = try check("flush_interval", value("flush_interval")?.int) ?? 15
        guard runners >= 1 else { throw ConfigError(file: where_, at: root?["check_runners"], "check_runners must be at least 1") }
        guard flush >= 1 else { throw ConfigError(file: where_, at: root?["flush_interval"], "flush_interval must be at least 1 second") }
        self.checkRunners = runners
        self.flushInterval = flush
        let runTimeout = try check("module_run_timeout", value("module_run_timeout")?.double) ?? 120
        guard runTimeout >= 0, runTimeout.isFinite else {
            throw ConfigError(file: where_, at: root?["module_run_timeout"], "module_run_timeout must be 0 (off) or a number of seconds")
        }
        let stop = try check("stop_timeout", value("stop_timeout")?.double) ?? 20
        guard stop > 0, stop.isFinite else {
            throw ConfigError(file: where_, at: root?["stop_timeout"], "stop_timeout must be a positive number of seconds")
        }
        self.moduleRunTimeout = runTimeout
        self.stopTimeout = stop
        let isolationText = try check("module_isolation", value("module_isolation")?.string) ?? ModuleIsolation.inProcess.rawValue
        guard let isolation = ModuleIsolation(rawValue: isolationText) else {
            throw ConfigError(file: where_, at: root?["module_isolation"], "module_isolation must be in_process or process")
        }
        let limitText = try check("module_memory_limit", value("module_memory_limit")?.string) ?? "512MB"
        guard let memoryLimit = ByteSize.parse(limitText), memoryLimit >= 0 else {
            throw ConfigError(file: where_, at: root?["module_memory_limit"], "module_memory_limit must be a size (512MB, 1GiB, bytes) or 0 for none")
        }
        self.moduleIsolation = isolation
        self.moduleMemoryLimit = memoryLimit
        self.modulesPathIsDefault = modules.isEmpty
        self.modulesPath = modules.isEmpty ? [AgentConfig.executableDirectory()] : modules.map { AgentConfig.resolve($0, base) }
    }

    /// The setting `key` (a dotted path for nested ones). `VIGIL_<KEY>` wins,
    /// with dots turned into underscores: `VIGIL_DD_URL`, `VIGIL_FLUSH_INTERVAL`.
    public func value(_ key: String) -> ConfigNode? {
        AgentConfig.lookup(key, root: root, environment: environment)
    }

    static func lookup(_ key: String, root: ConfigNode?, environment: [String: String]) -> ConfigNode? {
        let envName = "VIGIL_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
        if let text = environment[envName] { return ConfigNode(.scalar(text, plain: true)) }
        return root?.lookup(path: key)
    }

    public func string(_ key: String) -> String? { value(key)?.string }
    public func int(_ key: String) -> Int? { value(key)?.int }
    public func double(_ key: String) -> Double? { value(key)?.double }
    public func bool(_ key: String) -> Bool? { value(key)?.bool }
    public func strings(_ key: String) -> [String]? { value(key)?.strings }

    /// A path setting resolved against the configuration file's folder.
    public func path(_ key: String) -> String? { string(key).map { AgentConfig.resolve($0, baseDirectory) } }

    /// The whole configuration as JSON, for `config_value` on the agent scope.
    public var json: JSONValue { root?.json ?? .object([]) }

    public static func resolve(_ path: String, _ base: String) -> String {
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: base, isDirectory: true)).standardizedFileURL.path
    }

    static func systemHostname() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count)
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Where the running executable lives; shipped modules sit beside it.
    public static func executableDirectory() -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }
}
