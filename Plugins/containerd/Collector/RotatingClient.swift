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
    /// Retired connections still finishing their calls, by number; each removes itself when done.
    private var retired: [Int: Task<Void, Never>] = [:]
    private var generation = 0
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
        self.current = nil
        current.client.beginGracefulShutdown()
        generation += 1
        let number = generation
        // Tens of thousands of reads retire hundreds of connections: forget each once it closed.
        retired[number] = Task {
            await current.runner.value
            self.forget(number)
        }
    }

    private func forget(_ number: Int) { retired[number] = nil }

    func shutdown() async {
        retire()
        while let (number, waiter) = retired.first {
            await waiter.value
            retired[number] = nil
        }
    }
}
