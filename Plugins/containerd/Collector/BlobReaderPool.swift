/// A few blob-reading connections, each a `RotatingClient`, handed out in turn so that
/// concurrent reads spread over them.
///
/// Why several: one HTTP/2 connection is served by one grpc-go reader goroutine in
/// containerd and one event loop here; on 2 cores two connections carried about as much as
/// more did (see docs/workload.md for the measurement).
final class BlobReaderPool: Sendable {
    private let clients: [RotatingClient]
    private let next = Counter()

    init(socketPath: String, connections: Int, callsPerConnection: Int = 100) {
        clients = (0..<max(1, connections)).map { _ in
            RotatingClient(socketPath: socketPath, callsPerConnection: callsPerConnection)
        }
    }

    func client() async throws -> RotatingClient.Client {
        try await clients[next.increment() % clients.count].client()
    }

    func shutdown() async {
        for client in clients { await client.shutdown() }
    }
}
