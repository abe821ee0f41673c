/// The Datadog intake routes Vigil submits to, with what each expects.
/// Each is one lane of the outbox, named by its raw value.
public enum IntakeEndpoint: String, Sendable, CaseIterable {
    case series
    case sketches
    case serviceChecks = "service_checks"
    case events

    /// Paths from Datadog's public API reference. Events use the documented
    /// v1 events API (`/api/v1/events`, one event per request) rather than
    /// the agent's private `/intake/` route, whose format is not published.
    public var path: String {
        switch self {
        case .series: "/api/v2/series"
        case .sketches: "/api/beta/sketches"
        case .serviceChecks: "/api/v1/check_run"
        case .events: "/api/v1/events"
        }
    }

    public var contentType: String {
        self == .sketches ? "application/x-protobuf" : "application/json"
    }

    /// zstd where Datadog documents it (v2 series, sketches), deflate on
    /// the v1 routes, which document only deflate/gzip.
    public var preferredEncoding: ContentEncoding {
        switch self {
        case .series, .sketches: .zstd
        case .serviceChecks, .events: .deflate
        }
    }

    /// The outbox lane; the raw values predate other destinations, so
    /// payloads stored by earlier versions are still delivered.
    public var lane: String { rawValue }

    /// Packs this route's items into request bodies within `limits`.
    func builder(limits: PayloadLimits) -> PayloadBuilder {
        PayloadBuilder(lane: lane, framing: framing, limits: limits)
    }

    /// How items are joined into one body, so a body can be split back
    /// into its items (payload size limits, 413 answers).
    var framing: PayloadFraming {
        switch self {
        case .series: PayloadFraming(prefix: #"{"series":["#, separator: ",", suffix: "]}", maxItems: .max)
        case .sketches: PayloadFraming(prefix: "", separator: "", suffix: "", maxItems: .max)
        case .serviceChecks: PayloadFraming(prefix: "[", separator: ",", suffix: "]", maxItems: .max)
        case .events: PayloadFraming(prefix: "", separator: "", suffix: "", maxItems: 1)
        }
    }
}
