import Foundation
import VigilConfig

/// How one instance is isolated: vigil.yaml's `module_isolation` and
/// `module_memory_limit`, overridden per check by `isolation` and
/// `memory_limit` in its init_config.
struct IsolationSettings: Sendable {
    var mode: ModuleIsolation
    /// Bytes of RSS; 0 = none.
    var memoryLimit: Int
    /// `module_run_timeout`: a run past it kills the child (0 = never).
    var runTimeout: Double
    /// Deadline of configure, start, stop and destroy: `stop_timeout`.
    var callTimeout: Double
    /// Restart delays: base × 2^(failures − 1), capped; a child that stayed
    /// up `backoffReset` seconds starts again from the base.
    var backoffBase = 1.0
    var backoffCap = 60.0
    var backoffReset = 60.0

    static func resolve(config: AgentConfig, initConfig: ConfigNode) throws(ModuleError) -> IsolationSettings {
        var settings = IsolationSettings(mode: config.moduleIsolation, memoryLimit: config.moduleMemoryLimit,
                                         runTimeout: config.moduleRunTimeout, callTimeout: config.stopTimeout)
        if let node = initConfig.lookup(path: "isolation"), !node.isNull {
            guard let text = node.string, let mode = ModuleIsolation(rawValue: text) else {
                throw ModuleError(description: "init_config isolation must be in_process or process")
            }
            settings.mode = mode
        }
        if let node = initConfig.lookup(path: "memory_limit"), !node.isNull {
            guard let text = node.string, let bytes = ByteSize.parse(text), bytes >= 0 else {
                throw ModuleError(description: "init_config memory_limit must be a size (512MB, 1GiB, bytes) or 0 for none")
            }
            settings.memoryLimit = bytes
        }
        return settings
    }
}
