/// One compressed request body bound for one intake endpoint.
public struct Payload: Sendable, Equatable {
    public var endpoint: IntakeEndpoint
    public var encoding: ContentEncoding
    public var body: [UInt8]
    /// Series, sketches, checks or events inside.
    public var itemCount: Int

    public init(endpoint: IntakeEndpoint, encoding: ContentEncoding, body: [UInt8], itemCount: Int) {
        self.endpoint = endpoint
        self.encoding = encoding
        self.body = body
        self.itemCount = itemCount
    }
}

/// Datadog's documented limits for one request: 512,000 bytes compressed
/// and 5,242,880 bytes once decompressed.
public struct PayloadLimits: Sendable {
    public var maxCompressed: Int
    public var maxUncompressed: Int

    public init(maxCompressed: Int = 512_000, maxUncompressed: Int = 5_242_880) {
        self.maxCompressed = maxCompressed
        self.maxUncompressed = maxUncompressed
    }
}
