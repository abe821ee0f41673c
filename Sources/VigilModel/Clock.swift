import Foundation

/// Wall-clock helpers; aggregation takes times as arguments so tests can
/// feed known ones.
public enum WallClock {
    public static func nowSeconds() -> Int64 { Int64(Date().timeIntervalSince1970) }
    public static func now() -> Double { Date().timeIntervalSince1970 }
}

/// Monotonic nanoseconds, for durations.
public enum MonotonicClock {
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

extension MonotonicClock {
    public static func seconds() -> Double { Double(nanoseconds()) / 1e9 }
}
