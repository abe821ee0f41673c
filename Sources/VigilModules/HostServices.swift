import Logging
import VigilConfig
import VigilModel

/// Agent-wide services every module instance reaches through the host table.
public final class HostServices: Sendable {
    public let config: AgentConfig
    public let hostname: String
    public let logger: Logger
    public let tagProvider: TagProvider?

    public init(config: AgentConfig, logger: Logger, tagProvider: TagProvider?) {
        self.config = config
        self.hostname = config.hostname
        self.logger = logger
        self.tagProvider = tagProvider
    }
}
