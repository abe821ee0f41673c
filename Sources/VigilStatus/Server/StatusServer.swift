import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import VigilConfig
import VigilModel

/// The local HTTP API on `cmd_address` (loopback by default). JSON routes
/// need `Authorization: Bearer <token>` with the token from
/// `<run_path>/auth_token`. Text routes (Prometheus `/metrics`) are served
/// without the token unless registered `authenticated: true`, because a
/// scraper cannot easily read a rotating file; the agent registers
/// `/metrics` only when `prometheus_scrape: true`.
public final class StatusServer: Sendable {
    public let address: StatusAddress
    public let transport: StatusTransport
    public let runPath: String
    /// Open, refused and timed-out connections, for `vigil status`.
    public let connections: ConnectionCounter
    private let limits: ConnectionLimits
    private let routes = StatusRoutes()
    private let running = Mutex<(channel: Channel?, port: Int)>((nil, 0))
    private let logger = Logger(label: "vigil.status")

    public init(config: AgentConfig, limits: ConnectionLimits = ConnectionLimits()) throws {
        self.address = try StatusAddress(config: config)
        self.transport = try StatusTransport(config: config, address: address)
        self.runPath = config.runPath
        self.limits = limits
        self.connections = ConnectionCounter(limits: limits)
    }

    public func route(_ path: String, _ handler: @escaping @Sendable (_ query: [String: String]) -> JSONValue) {
        routes.set(path, .json(handler))
    }

    /// A route served without the token (`/health/live`, `/health/ready`): 200 or 503.
    public func probeRoute(_ path: String, _ handler: @escaping @Sendable () -> (healthy: Bool, body: JSONValue)) {
        routes.set(path, .probe(handler))
    }

    public func textRoute(_ path: String, contentType: String, authenticated: Bool = false,
                          _ handler: @escaping @Sendable () -> String) {
        routes.set(path, .text(contentType: contentType, authenticated: authenticated, handler))
    }

    /// A browser-facing route for `prefix` and every path below it (the console).
    public func webRoute(prefix: String, _ handler: @escaping WebHandler) { routes.setWeb(prefix: prefix, handler) }

    /// Writes a fresh token, binds, and records the bound address in
    /// `<run_path>/cmd_address` so clients find an ephemeral port.
    public func start() throws {
        let tls = try transport.serverContext()
        let token = try AuthToken.generate(runPath: runPath)
        let routes = self.routes
        let counter = connections
        let requestSeconds = limits.requestSeconds
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(ConnectionLimitHandler(counter: counter))
                    if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
                    try pipeline.configureHTTPServerPipeline()
                    try pipeline.addHandler(RequestDeadlineHandler(seconds: requestSeconds, counter: counter))
                    try pipeline.addHandler(StatusHTTPHandler(routes: routes, token: token))
                }
            }
        let channel: Channel
        do {
            channel = try bootstrap.bind(host: address.host, port: address.port).wait()
        } catch {
            throw StatusServerError(description: "cannot listen on \(address) (cmd_address): \(error)")
        }
        let port = channel.localAddress?.port ?? address.port
        running.withLock { $0 = (channel, port) }
        let bound = StatusAddress(host: address.host, port: port)
        try? (bound.description + "\n").write(toFile: StatusServer.addressFile(runPath: runPath), atomically: true, encoding: .utf8)
        logger.info("status API listening", metadata: ["address": "\(bound)", "tls": "\(tls != nil)"])
    }

    public func stop() {
        let channel = running.withLock { state -> Channel? in
            defer { state.channel = nil }
            return state.channel
        }
        try? channel?.close().wait()
        try? FileManager.default.removeItem(atPath: StatusServer.addressFile(runPath: runPath))
        try? FileManager.default.removeItem(atPath: AuthToken.path(runPath: runPath))
    }

    public var boundPort: Int { running.withLock { $0.port } }

    public let statusSectionName = "status_api"

    public func statusSnapshot() -> JSONValue {
        let totals = connections.totals
        return .object([
            ("address", .string(StatusAddress(host: address.host, port: boundPort).description)),
            ("tls", .bool(transport.usesTLS)),
            ("connections_open", .int(Int64(totals.open))),
            ("connections_refused", .int(Int64(totals.refused))),
            ("requests_timed_out", .int(Int64(totals.timedOut))),
        ])
    }

    static func addressFile(runPath: String) -> String { runPath + "/cmd_address" }
}
