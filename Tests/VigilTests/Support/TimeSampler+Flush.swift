import VigilAggregation
import VigilModel

extension TimeSampler {
    /// Collect, build and recycle in one go: what the DogStatsD server does
    /// in two steps around its lock, for tests that need no lock.
    func flush(now: Double, force: Bool) -> FlushBatch {
        var closed = collect(now: now, force: force)
        let batch = closed.build()
        recycle(&closed)
        return batch
    }
}
