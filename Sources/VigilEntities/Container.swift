/// A container as a runtime reports it. Times are unix nanoseconds, 0 when unknown.
public struct Container: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var namespace: String
    public var runtime: String
    /// The image reference the container was created from, e.g. "docker.io/library/redis:7".
    public var imageRef: String
    /// The image's config digest ("sha256:…"), the id of its image entity.
    public var imageID: String
    public var labels: [String: String]
    public var env: [String: String]
    public var cgroupPath: String
    public var pid: Int64
    public var state: ContainerState
    public var createdAt: Int64
    public var startedAt: Int64
    public var finishedAt: Int64
    public var exitCode: Int64
    /// The hostname from the container's configuration, or "".
    public var hostname: String
    /// Addresses in its network namespace, loopback excluded, preferred first.
    public var ipAddresses: [String]
    /// TCP ports listening in its network namespace, ascending.
    public var ports: [UInt16]

    public init(id: String, name: String = "", namespace: String = "", runtime: String = "",
                imageRef: String = "", imageID: String = "", labels: [String: String] = [:],
                env: [String: String] = [:], cgroupPath: String = "", pid: Int64 = 0,
                state: ContainerState = .unknown, createdAt: Int64 = 0, startedAt: Int64 = 0,
                finishedAt: Int64 = 0, exitCode: Int64 = 0, hostname: String = "", ipAddresses: [String] = [],
                ports: [UInt16] = []) {
        self.id = id
        self.name = name
        self.namespace = namespace
        self.runtime = runtime
        self.imageRef = imageRef
        self.imageID = imageID
        self.labels = labels
        self.env = env
        self.cgroupPath = cgroupPath
        self.pid = pid
        self.state = state
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.exitCode = exitCode
        self.hostname = hostname
        self.ipAddresses = ipAddresses
        self.ports = ports
    }
}
