import Logging
import VigilConfig
import VigilModel
import VigilWorkload

/// Agent-wide services every module instance reaches through the host table.
public final class HostServices: Sendable {
    public let config: AgentConfig
    public let hostname: String
    public let logger: Logger
    public let tagProvider: TagProvider?
    /// The workload store behind publish/remove/get/list/subscribe; nil answers UNSUPPORTED.
    public let workload: WorkloadStore?
    /// Gates modules open and collectors wait for (ABI 1.3).
    public let gates: GateRegistry
    /// The binary isolated instances run in (`vigil module-host`): the agent's own, unless a test names one.
    public let moduleHostExecutable: String

    public init(config: AgentConfig, logger: Logger, tagProvider: TagProvider?, workload: WorkloadStore? = nil,
                gates: GateRegistry? = nil, moduleHostExecutable: String? = nil) {
        self.moduleHostExecutable = moduleHostExecutable ?? ChildSpawn.agentExecutable()
        self.gates = gates ?? GateRegistry(config: config)
        self.config = config
        self.hostname = config.hostname
        self.logger = logger
        self.tagProvider = tagProvider
        self.workload = workload
    }
}
