/// What the module learned about a container, before it crosses the C ABI.
struct ContainerRecord: Sendable, Equatable {
    var id: String
    var namespace: String
    var imageRef: String
    var imageID: String = ""
    var labels: [String: String] = [:]
    var env: [String: String] = [:]
    var cgroupPath: String
    var pid: Int64 = 0
    var state: State = .unknown
    var createdAt: Int64 = 0
    var startedAt: Int64 = 0
    var finishedAt: Int64 = 0
    var exitCode: Int64 = 0

    /// Numbered as vigil_container_state.
    enum State: UInt32, Sendable { case unknown = 0, created, running, paused, stopped }
}

/// One image (config digest) with every reference to it, across namespaces.
struct ImageRecord: Sendable, Equatable {
    var id: String
    var name: String
    var repoTags: [String]
    var repoDigests: [String]
    var layers: [String]
    var mediaType: String
    var os: String
    var architecture: String
    var variant: String
    var sizeBytes: Int64
    var createdAt: Int64
}

/// Where collected entities go: the host table in production, a recorder in tests.
protocol EntitySink: Sendable {
    func publish(_ container: ContainerRecord)
    func publish(_ image: ImageRecord)
    func removeContainer(id: String)
    func removeImage(id: String)
    func setReady()
    func log(_ level: LogLevel, _ message: String)
}

enum LogLevel: UInt32, Sendable { case trace = 0, debug, info, warn, error }
