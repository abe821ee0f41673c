import ContainerdAPI
import ContainerdImageIndex
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf

/// The read-only slice of containerd's gRPC API the collector uses. Every call carries
/// the namespace header containerd requires and a deadline, so a stuck daemon cannot
/// stall the collector forever.
struct ContainerdAPI: Sendable {
    typealias Client = GRPCClient<HTTP2ClientTransport.Posix>

    let client: Client
    /// Content reads use their own, regularly renewed connections (see `RotatingClient`).
    let blobClients: BlobReaderPool
    let timeout: Duration

    private func metadata(_ namespace: String) -> Metadata { ContainerdCall.metadata(namespace: namespace) }

    private var options: CallOptions {
        var options = ContainerdCall.options(timeout: timeout)
        options.waitForReady = false
        // Listings of tens of thousands of images run to tens of MB (grpc-swift's default cap is
        // 4 MiB). The NIO transport applies the *request* limit to decoding responses too.
        options.maxResponseMessageBytes = 512 << 20
        options.maxRequestMessageBytes = 512 << 20
        return options
    }

    func namespaces() async throws -> [String] {
        let service = Containerd_Services_Namespaces_V1_Namespaces.Client(wrapping: client)
        let response = try await service.list(Containerd_Services_Namespaces_V1_ListNamespacesRequest(),
                                              metadata: [:], options: options)
        return response.namespaces.map(\.name)
    }

    func containers(namespace: String) async throws -> [Containerd_Services_Containers_V1_Container] {
        let service = Containerd_Services_Containers_V1_Containers.Client(wrapping: client)
        return try await service.list(Containerd_Services_Containers_V1_ListContainersRequest(),
                                      metadata: metadata(namespace), options: options).containers
    }

    /// nil when the container does not exist (any more).
    func container(namespace: String, id: String) async throws -> Containerd_Services_Containers_V1_Container? {
        let service = Containerd_Services_Containers_V1_Containers.Client(wrapping: client)
        var request = Containerd_Services_Containers_V1_GetContainerRequest()
        request.id = id
        return try await nilIfNotFound { try await service.get(request, metadata: metadata(namespace), options: options).container }
    }

    func tasks(namespace: String) async throws -> [Containerd_V1_Types_Process] {
        let service = Containerd_Services_Tasks_V1_Tasks.Client(wrapping: client)
        return try await service.list(Containerd_Services_Tasks_V1_ListTasksRequest(),
                                      metadata: metadata(namespace), options: options).tasks
    }

    /// nil when the container has no task.
    func task(namespace: String, containerID: String) async throws -> Containerd_V1_Types_Process? {
        let service = Containerd_Services_Tasks_V1_Tasks.Client(wrapping: client)
        var request = Containerd_Services_Tasks_V1_GetRequest()
        request.containerID = containerID
        return try await nilIfNotFound { try await service.get(request, metadata: metadata(namespace), options: options).process }
    }

    /// The image records selected by any of `filters` (all when empty), reduced to what the
    /// collector keeps as the response is read (`ImageListingWire`), with its size in bytes.
    func images(namespace: String, filters: [String] = []) async throws -> (records: [ListedImage], bytes: Int) {
        var request = Containerd_Services_Images_V1_ListImagesRequest()
        request.filters = filters
        // Each listing is a full scan inside containerd, seconds on a loaded node with 100,000
        // references: a wider deadline than single-object calls get.
        var listingOptions = options
        listingOptions.timeout = max(timeout, .seconds(120))
        return try await client.unary(
            request: ClientRequest(message: request, metadata: metadata(namespace)),
            descriptor: Containerd_Services_Images_V1_Images.Method.List.descriptor,
            serializer: ProtobufSerializer<Containerd_Services_Images_V1_ListImagesRequest>(),
            deserializer: ImageListingDeserializer(namespace: namespace),
            options: listingOptions
        ) { response in try response.message }
    }

    /// nil when the image name does not exist (any more).
    func image(namespace: String, name: String) async throws -> Containerd_Services_Images_V1_Image? {
        let service = Containerd_Services_Images_V1_Images.Client(wrapping: client)
        var request = Containerd_Services_Images_V1_GetImageRequest()
        request.name = name
        return try await nilIfNotFound { try await service.get(request, metadata: metadata(namespace), options: options).image }
    }

    /// Reads a whole blob from the content store (manifests and configs are small).
    ///
    /// A read that finds its connection gone (`unavailable`) is tried again on the pool's next
    /// connection: with several reads in flight, one can be handed a connection that another
    /// has just retired (see `RotatingClient`), which says nothing about containerd. Only
    /// when every attempt fails does the error end the session.
    ///
    /// No per-call deadline: grpc-swift bounds a call with a sleeping task, and a cancelled
    /// `Task.sleep` keeps its timer (about 1.5 KB) until the deadline would have passed, so
    /// 60,000 reads under a 15 s deadline held some 90 MB at the end of a first sync. The
    /// caller bounds the reads instead, with one watchdog for all of them (`resolveImages`).
    func blob(namespace: String, digest: String, limit: Int = 4 << 20) async throws -> Data {
        var request = Containerd_Services_Content_V1_ReadContentRequest()
        request.digest = digest
        var blobOptions = options
        blobOptions.timeout = nil
        var attempt = 1
        while true {
            let service = Containerd_Services_Content_V1_Content.Client(wrapping: try await blobClients.client())
            do {
                return try await service.read(request, metadata: metadata(namespace), options: blobOptions) { response in
                    var data = Data()
                    for try await chunk in response.messages {
                        data.append(chunk.data)
                        if data.count > limit { throw RPCError(code: .resourceExhausted, message: "blob \(digest) is larger than \(limit) bytes") }
                    }
                    return data
                }
            } catch let error as RPCError where error.code == .unavailable && attempt < Self.blobAttempts {
                attempt += 1
            }
        }
    }

    static let blobAttempts = 3

    /// Streams events until the connection ends; `onEvent` sees each envelope in order.
    func subscribe(topicsMatching patterns: [String],
                   onEvent: @escaping @Sendable (Containerd_Services_Events_V1_Envelope) async -> Void) async throws {
        let service = Containerd_Services_Events_V1_Events.Client(wrapping: client)
        var request = Containerd_Services_Events_V1_SubscribeRequest()
        request.filters = patterns.map { "topic~=\"\($0)\"" }
        var streamOptions = CallOptions.defaults
        streamOptions.waitForReady = false
        try await service.subscribe(request, metadata: [:], options: streamOptions) { response in
            for try await envelope in response.messages { await onEvent(envelope) }
        }
    }

    /// A get that answers NOT_FOUND means the object is gone (or never was).
    private func nilIfNotFound<T>(_ call: () async throws -> T) async throws -> T? {
        do {
            return try await call()
        } catch let error as RPCError where error.code == .notFound {
            return nil
        }
    }
}

extension Google_Protobuf_Timestamp {
    var unixNanoseconds: Int64 { seconds <= 0 && nanos == 0 ? 0 : seconds * 1_000_000_000 + Int64(nanos) }
}

/// Reads a `ListImagesResponse` into `ListedImage`s without swift-protobuf's message objects.
struct ImageListingDeserializer: MessageDeserializer {
    let namespace: String

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> (records: [ListedImage], bytes: Int) {
        try serializedMessageBytes.withUnsafeBytes { try ImageListingWire.decode($0, namespace: namespace) }
    }
}
