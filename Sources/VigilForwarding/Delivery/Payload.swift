/// One compressed request body waiting in a lane of the outbox.
public struct Payload: Sendable, Equatable {
    /// The outbox lane it belongs to: one queue, one sender, one destination route.
    public var lane: String
    public var encoding: ContentEncoding
    public var body: [UInt8]
    /// Series, sketches, checks or events inside.
    public var itemCount: Int

    public init(lane: String, encoding: ContentEncoding, body: [UInt8], itemCount: Int) {
        self.lane = lane
        self.encoding = encoding
        self.body = body
        self.itemCount = itemCount
    }
}

/// Bounds on one request body: compressed and once decompressed.
public struct PayloadLimits: Sendable {
    public var maxCompressed: Int
    public var maxUncompressed: Int

    /// Datadog's documented limits: 512,000 bytes compressed, 5,242,880 decompressed.
    public init(maxCompressed: Int = 512_000, maxUncompressed: Int = 5_242_880) {
        self.maxCompressed = maxCompressed
        self.maxUncompressed = maxUncompressed
    }
}
