import Foundation

/// The value → bin key mapping of the Datadog Agent's sketches (its
/// `pkg/quantile` defaults): relative accuracy 1/128, so bins grow by
/// γ = 1 + 2/128; values below 1e-9 in magnitude share key 0; negative values
/// mirror positive ones with negative keys. Keys must match the Agent's
/// exactly because the intake merges sketches from many sources by key.
public enum DDSketchMapping {
    public static let relativeAccuracy = 1.0 / 128.0
    public static let gamma = 1.0 + 2.0 * relativeAccuracy
    public static let gammaLn = log1p(2.0 * relativeAccuracy)
    public static let minValue = 1e-9
    /// Shifts keys so that the smallest representable value gets key 1.
    public static let bias: Int = -Int((log(minValue) / gammaLn).rounded(.down)) + 1
    /// Key of +∞ (and of everything too large for a 16-bit key).
    public static let maxKey: Int32 = 32767
    /// Smallest magnitude with a non-zero key.
    public static let normalisedMin = lowerBound(key: 1)
    /// The Agent keeps at most this many bins, collapsing the lowest ones.
    public static let binLimit = 4096

    @inline(__always)
    public static func key(_ value: Double) -> Int32 {
        if value < 0 { return -key(-value) }
        if value == 0 || value < normalisedMin { return 0 }
        let rounded = (log(value) / gammaLn).rounded(.toNearestOrEven)
        if !rounded.isFinite { return maxKey }
        let k = Int(rounded) + bias
        return Int32(Swift.min(Swift.max(k, 1), Int(maxKey)))
    }

    /// The smallest value that maps to `key`.
    public static func lowerBound(key: Int32) -> Double {
        if key < 0 { return -lowerBound(key: -key) }
        if key == 0 { return 0 }
        if key >= maxKey { return .infinity }
        return pow(gamma, Double(Int(key) - bias))
    }
}
