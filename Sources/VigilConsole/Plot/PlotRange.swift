/// The time ranges a plot offers: the 15 min / 1 h / 24 h, and 6 h
/// between them. Anything else in a URL falls back to the default.
public enum PlotRange: String, Sendable, CaseIterable {
    case quarterHour = "15m", hour = "1h", sixHours = "6h", day = "24h"

    public static let `default` = PlotRange.hour

    public var seconds: Int64 {
        switch self {
        case .quarterHour: 900
        case .hour: 3600
        case .sixHours: 21600
        case .day: 86400
        }
    }

    public var label: String {
        switch self {
        case .quarterHour: "15 min"
        case .hour: "1 h"
        case .sixHours: "6 h"
        case .day: "24 h"
        }
    }

    public init(query: String?) { self = query.flatMap(PlotRange.init(rawValue:)) ?? .default }
}
