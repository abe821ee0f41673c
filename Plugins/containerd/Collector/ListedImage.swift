import ContainerdAPI
/// What the collector keeps of one image record of a listing: its name and target. The
/// protobuf records (labels, annotations, timestamps) are dropped page by page, so a
/// listing of 100,000 references never holds them all at once.
struct ListedImage: Sendable {
    var namespace: String
    var name: String
    var target: Target

    struct Target: Sendable, Hashable {
        var digest: String
        var mediaType: String
        var size: Int64
    }

    init(_ image: Containerd_Services_Images_V1_Image, namespace: String) {
        self.namespace = namespace
        name = image.name
        target = Target(digest: image.target.digest, mediaType: image.target.mediaType, size: image.target.size)
    }

    /// About the record's size in the response: its strings and maps plus a few bytes of
    /// tags, lengths and timestamps. It sizes the pages of the next listing, which leave
    /// headroom and divide themselves anyway if containerd still refuses one.
    static func wireSize(of image: Containerd_Services_Images_V1_Image) -> Int {
        var bytes = 64 + image.name.utf8.count + image.target.digest.utf8.count + image.target.mediaType.utf8.count
        for (key, value) in image.labels { bytes += 6 + key.utf8.count + value.utf8.count }
        for (key, value) in image.target.annotations { bytes += 6 + key.utf8.count + value.utf8.count }
        return bytes
    }
}
