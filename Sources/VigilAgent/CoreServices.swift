import Logging
import VigilConfig
import VigilModules
import VigilWorkload

extension HostServices {
    /// The services every module sees: the workload store and the tagger
    /// on top of it. Used by the daemon and by one-shot commands alike.
    static func make(config: AgentConfig, logger: Logger) -> (HostServices, WorkloadStore, Tagger) {
        let store = WorkloadStore()
        let tagger = Tagger(store: store, rules: TagRules(config: config))
        return (HostServices(config: config, logger: logger, tagProvider: tagger, workload: store), store, tagger)
    }
}

extension Logger {
    static func vigil(level: String) -> Logger {
        var logger = Logger(label: "vigil")
        logger.logLevel = Logger.Level(rawValue: level) ?? (level == "warn" ? .warning : .info)
        return logger
    }
}
