import VigilModel

/// Points reduced to one bucket per pixel of the plot: each bucket keeps
/// the minimum, average and maximum of the points that fall in it, so a
/// 24 h plot of a 15 s series costs what the plot can show, not what the
/// store holds, and a one-point spike still reaches the screen as a max.
/// The local store does the reduction in SQL (`LocalStoreQuery.buckets`)
/// on this grid.
public enum Downsampler {
    public struct Bucket: Sendable, Equatable {
        public var min: Double
        public var max: Double
        public var sum: Double
        public var count: Int
        public var average: Double { sum / Double(count) }
    }

    /// The grid a plot shares across its lines: bucket `i` covers
    /// `[start + i·step, start + (i+1)·step)` seconds.
    public struct Grid: Sendable, Equatable {
        public var start: Int64
        public var step: Int64
        public var count: Int

        /// `width` buckets over `[start, end)`, but never narrower than
        /// `minimumStep` (the flush interval: a finer grid would only hold gaps).
        public init(start: Int64, end: Int64, width: Int, minimumStep: Int64) {
            let span = max(1, end - start)
            let pixels = Int64(max(1, width))
            step = max(max(1, minimumStep), (span + pixels - 1) / pixels)
            // Align to the step so buckets do not shift between refreshes.
            self.start = start - ((start % step) + step) % step
            count = Int((end - self.start + step - 1) / step)
        }

        public func index(of timestamp: Int64) -> Int? {
            guard timestamp >= start else { return nil }
            let i = Int((timestamp - start) / step)
            return i < count ? i : nil
        }

        public func time(ofBucket index: Int) -> Int64 { start + Int64(index) * step }
    }
}
