import FoundationEssentials
import OCIImage

/// Where an image's layer blobs come from: containerd's content store, or an OCI archive.
public protocol LayerBlobSource: Sendable {
    /// Streams one blob's bytes, as stored (compressed or not), to `consume`, in order.
    func stream(blob digest: String, _ consume: (UnsafeRawBufferPointer) throws -> Void) async throws
}

/// What scanning one image found and cost.
public struct ImageScanResult: Sendable {
    public var inventories: [LayerInventory]
    public var cacheHits = 0
    public var layersRead = 0
    public var bytesRead = 0
}

/// Reads an image's layers one after another, each streamed through decompression and the
/// tar reader into an inventory, or taken from the layer cache when its diff id is known.
public struct ImageScanner: Sendable {
    public struct Failure: Error, CustomStringConvertible { public var description: String }

    public var cache: SBOMDatabase?
    /// Called as layers finish: (layers done, layers in all, files in the current layer).
    public var progress: (@Sendable (Int, Int, Int) -> Void)?

    public init(cache: SBOMDatabase?) { self.cache = cache }

    /// `layers` are the manifest's blob digests and `diffIDs` the config's, bottom first.
    public func scan(layers: [String], diffIDs: [String], from source: LayerBlobSource) async throws -> ImageScanResult {
        guard layers.count == diffIDs.count else {
            throw Failure(description: "the manifest lists \(layers.count) layers but the config \(diffIDs.count) diff ids")
        }
        var result = ImageScanResult(inventories: [])
        for (index, (blob, diffID)) in zip(layers, diffIDs).enumerated() {
            try Task.checkCancellation()
            if let cached = cache?.layer(diffID) {
                result.inventories.append(cached)
                result.cacheHits += 1
                progress?(index + 1, layers.count, cached.fileCount)
                continue
            }
            let decompressor = LayerDecompressor()
            let builder = LayerInventoryBuilder(diffID: diffID)
            let progress = self.progress
            builder.progress = { files in if files % 1000 == 0 { progress?(index, layers.count, files) } }
            let tar = TarStream(consumer: builder)
            var bytes = 0
            do {
                try await source.stream(blob: blob) { chunk in
                    bytes += chunk.count
                    try decompressor.feed(chunk) { try tar.feed($0) }
                }
                try decompressor.finish { try tar.feed($0) }
                try tar.finish()
            } catch let error as LayerDecompressor.Failure {
                throw Failure(description: "layer \(blob): \(error)")
            } catch let error as TarStream.Failure {
                throw Failure(description: "layer \(blob): \(error)")
            }
            result.inventories.append(builder.inventory)
            result.layersRead += 1
            result.bytesRead += bytes
            try? cache?.storeLayer(builder.inventory)
            progress?(index + 1, layers.count, builder.inventory.fileCount)
        }
        return result
    }
}

/// An OCI image's index, manifest and config, as far as a scan needs them.
public struct OCIImageLayout: Sendable {
    public var manifestDigest: String
    public var configDigest: String
    public var layers: [String]
    public var diffIDs: [String]

    private struct Config: Decodable {
        var rootfs: RootFS?
        struct RootFS: Decodable { var diff_ids: [String]? }
    }

    /// Follows index → the manifest for this machine's platform → config. `read` returns a blob's bytes.
    public static func resolve(top digest: String, read: (String) async throws -> [UInt8]) async throws -> OCIImageLayout {
        let resolved: ImageManifest
        do { resolved = try await ImageManifest.resolve(target: digest) { Data(try await read($0)) } } catch let failure as ImageManifest.Failure {
            throw ImageScanner.Failure(description: failure.description)
        }
        return OCIImageLayout(manifestDigest: resolved.manifestDigest, configDigest: resolved.configDigest,
                              layers: resolved.layers.map(\.digest), diffIDs: try diffIDs(config: resolved.config))
    }

    /// Reads a config blob's diff ids alone (when the layers are already known).
    public static func diffIDs(config: [UInt8]) throws -> [String] { try diffIDs(config: Data(config)) }

    static func diffIDs(config: Data) throws -> [String] {
        try JSONDecoder().decode(Config.self, from: config).rootfs?.diff_ids ?? []
    }
}
