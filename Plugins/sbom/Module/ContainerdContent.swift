import ContainerdAPI
import FoundationEssentials
import GRPCCore
import GRPCNIOTransportHTTP2
import SBOMScanner

/// Read-only access to containerd's content store: blob info and streamed reads, nothing
/// else. No lease, snapshot, mount or write is ever requested, so scanning an image changes
/// nothing in containerd. One connection per scan, closed when the scan ends.
final class ContainerdContent: LayerBlobSource, @unchecked Sendable {
    struct BlobMissing: Error, CustomStringConvertible {
        var digest: String
        var description: String { "blob \(digest) is not in containerd's content store" }
    }

    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let runner: Task<Void, Never>
    private let timeout: Duration
    /// The namespace whose content the image belongs to (content is shared, access is per namespace).
    var namespace = "default"

    init(socketPath: String, timeout: Duration) throws {
        let transport = try HTTP2ClientTransport.Posix(target: .unixDomainSocket(path: socketPath),
                                                       transportSecurity: .plaintext)
        let client = GRPCClient(transport: transport)
        self.client = client
        runner = Task { _ = try? await client.runConnections() }
        self.timeout = timeout
    }

    func close() async {
        client.beginGracefulShutdown()
        await runner.value
    }

    private var metadata: Metadata { ContainerdCall.metadata(namespace: namespace) }
    private var options: CallOptions { ContainerdCall.options(timeout: timeout) }

    func namespaces() async throws -> [String] {
        let service = Containerd_Services_Namespaces_V1_Namespaces.Client(wrapping: client)
        return try await service.list(Containerd_Services_Namespaces_V1_ListNamespacesRequest(), metadata: [:],
                                      options: options).namespaces.map(\.name)
    }

    /// True when the current namespace can read `digest`.
    func has(_ digest: String) async throws -> Bool {
        let service = Containerd_Services_Content_V1_Content.Client(wrapping: client)
        var request = Containerd_Services_Content_V1_InfoRequest()
        request.digest = digest
        do {
            _ = try await service.info(request, metadata: metadata, options: options)
            return true
        } catch let error as RPCError where error.code == .notFound {
            return false
        }
    }

    /// A small blob whole (manifests and configs), bounded.
    func blob(_ digest: String, limit: Int = 8 << 20) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        try await stream(blob: digest) { chunk in
            bytes.append(contentsOf: chunk)
            if bytes.count > limit { throw RPCError(code: .resourceExhausted, message: "blob \(digest) is larger than \(limit) bytes") }
        }
        return bytes
    }

    func stream(blob digest: String, _ consume: (UnsafeRawBufferPointer) throws -> Void) async throws {
        let service = Containerd_Services_Content_V1_Content.Client(wrapping: client)
        var request = Containerd_Services_Content_V1_ReadContentRequest()
        request.digest = digest
        // A layer may take long: no deadline on the stream itself; the scan has its own timeout.
        do {
            // The response handler runs within this call, so `consume` never outlives it.
            try await withoutActuallyEscaping(consume) { consume in
                let sink = ChunkSink(consume)
                try await service.read(request, metadata: metadata, options: .defaults) { response in
                    for try await chunk in response.messages {
                        try chunk.data.withUnsafeBytes { try sink.consume($0) }
                    }
                }
            }
        } catch let error as RPCError where error.code == .notFound {
            throw BlobMissing(digest: digest)
        }
    }
}

/// Carries the caller's chunk consumer into gRPC's response handler, which runs (once, on
/// one task) before `stream(blob:)` returns.
private final class ChunkSink: @unchecked Sendable {
    let consume: (UnsafeRawBufferPointer) throws -> Void
    init(_ consume: @escaping (UnsafeRawBufferPointer) throws -> Void) { self.consume = consume }
}
