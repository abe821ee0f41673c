import GRPCCore
import GRPCNIOTransportHTTP2

/// A gRPC client replaced after a fixed number of calls.
///
/// containerd (grpc-go) ends every server-streaming call such as Content.Read with an
/// RST_STREAM, and grpc-swift's HTTP/2 stack closes a connection that receives more than
/// 200 of those within 10 seconds (its rapid-reset defence). Blob reads therefore go
/// through their own connection, renewed well before that limit.
actor RotatingClient {
    typealias Client = GRPCClient<HTTP2ClientTransport.Posix>

    private let socketPath: String
    private let callsPerConnection: Int
    private var current: (client: Client, runner: Task<Void, Never>)?
    private var retired: [Task<Void, Never>] = []
    private var calls = 0

    init(socketPath: String, callsPerConnection: Int = 100) {
        self.socketPath = socketPath
        self.callsPerConnection = callsPerConnection
    }

    func client() throws -> Client {
        if let current, calls < callsPerConnection {
            calls += 1
            return current.client
        }
        retire()
        let transport = try HTTP2ClientTransport.Posix(target: .unixDomainSocket(path: socketPath),
                                                       transportSecurity: .plaintext)
        let client = GRPCClient(transport: transport)
        let runner = Task { _ = try? await client.runConnections() }
        current = (client, runner)
        calls = 1
        return client
    }

    /// Closes the current connection once its calls finish.
    private func retire() {
        guard let current else { return }
        current.client.beginGracefulShutdown()
        retired.append(current.runner)
        self.current = nil
        retired.removeAll { $0.isCancelled }
    }

    func shutdown() async {
        retire()
        for runner in retired { await runner.value }
        retired.removeAll()
    }
}
