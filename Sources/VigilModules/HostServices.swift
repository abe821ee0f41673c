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

    public init(config: AgentConfig, logger: Logger, tagProvider: TagProvider?, workload: WorkloadStore? = nil) {
        self.config = config
        self.hostname = config.hostname
        self.logger = logger
        self.tagProvider = tagProvider
        self.workload = workload
    }
}
