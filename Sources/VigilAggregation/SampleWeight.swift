/// How many samples one sample sent at rate `r` stands for, in histograms,
/// timers and distributions: 1 ÷ r truncated to a whole number, as the
/// reference does (`int64(1 / rate)` in its histogram, `uint(1 / rate)` in
/// its sketch), so `.count`, percentiles and sketch counts agree with it.
/// `@0.3` weighs 3, not 3.33; `@0.7` weighs 1.
public enum SampleWeight {
    @inline(__always)
    public static func of(rate: Double) -> UInt32 {
        let n = 1 / rate
        // A very low rate saturates instead of trapping the conversion; a rate
        // above 1 (refused by the parser) or NaN still weighs one.
        guard n >= 1 else { return 1 }
        return n >= Double(UInt32.max) ? UInt32.max : UInt32(n)
    }
}
