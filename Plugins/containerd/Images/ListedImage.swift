/// What the collector keeps of one image record of a listing: its name and target. Labels,
/// annotations and timestamps are skipped while the response is read (`ImageListingWire`),
/// so a listing of 100,000 references never holds them.
public struct ListedImage: Sendable, Equatable {
    public var namespace: String
    public var name: String
    public var target: Target

    public struct Target: Sendable, Hashable {
        public var digest: String
        public var mediaType: String
        public var size: Int64

        public init(digest: String, mediaType: String, size: Int64) {
            self.digest = digest
            self.mediaType = mediaType
            self.size = size
        }
    }

    public init(namespace: String, name: String, target: Target) {
        self.namespace = namespace
        self.name = name
        self.target = target
    }
}
